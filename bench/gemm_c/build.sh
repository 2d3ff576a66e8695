#!/bin/sh
# Builds gemm_bench against the system OpenBLAS (Debian: libopenblas-dev / libopenblas-pthread-dev).
# Run: ./gemm_bench 1   and   ./gemm_bench 2   (thread count; optional sizes after it)
set -e
cd "$(dirname "$0")"
gcc -O2 -o gemm_bench gemm_bench.c -lopenblas
