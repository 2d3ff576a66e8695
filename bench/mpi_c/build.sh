#!/bin/sh
# Builds the C MPI_Allreduce reference (Open MPI's mpicc). Run: mpirun -np 2 ./allreduce_bench [MAX_BYTES]
set -e
cd "$(dirname "$0")"
mpicc -O2 -o allreduce_bench allreduce.c
