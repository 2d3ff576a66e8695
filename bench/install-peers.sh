#!/usr/bin/env bash
# Installs what `polymath bench` compares against (Debian/Ubuntu): PyTorch for the peer rows, scikit-learn for
# bench/Polymath.Learn.Bench, OpenBLAS
# (runtime and headers) for the OpenBLAS provider and the C reference, gcc for bench/gemm_c and bench/stream_c.
# Without them the bench still runs and marks the missing peers "n/a".
set -euo pipefail
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-peers: needs apt-get (Debian/Ubuntu); install python3-torch, OpenBLAS and gcc by hand." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q python3-torch python3-sklearn libopenblas0-pthread libopenblas-pthread-dev gcc
