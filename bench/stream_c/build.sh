#!/bin/sh
# Builds the STREAM-style bandwidth reference with OpenMP. Run: ./stream THREADS [N] [RUNS]
set -e
cd "$(dirname "$0")"
gcc -O3 -march=native -ffast-math -fopenmp -o stream stream.c
