/* The MPI library's own all-reduce figures: MPI_Allreduce (in place, float32, MPI_SUM) on MPI_COMM_WORLD, timed
 * with the same rule as bench/Polymath.Scale.Bench (barrier, then samples of `inner` calls until at least 5 samples
 * and 0.3 s; the median sample / inner; the slowest rank's figure). Run: mpirun -np 2 ./allreduce_bench [MAX_BYTES]
 * Prints one line per size: bytes seconds_per_op algbw_GBs busbw_GBs */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long max_bytes = argc > 1 ? atol(argv[1]) : 256L << 20;
    float *buf = malloc(max_bytes);
    for (long i = 0; i < max_bytes / 4; i++) buf[i] = (float)(i % 7) * 1e-3f;
    double samples[1000];
    for (long bytes = 1024; bytes <= max_bytes; bytes *= 4) {
        int n = (int)(bytes / 4);
        /* inner calls per sample: about 1 ms of work or at least one call */
        int inner = bytes <= 65536 ? 100 : bytes <= (4L << 20) ? 10 : 1;
        for (int w = 0; w < 2; w++) MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        int count = 0;
        double total = 0;
        for (;;) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            for (int k = 0; k < inner; k++) MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            double t = (MPI_Wtime() - t0) / inner;
            samples[count++] = t;
            total += t * inner;
            /* every rank must take the same decision: rank 0 decides */
            int more = count < 5 || (total < 0.3 && count < 1000);
            MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);
            if (!more) break;
        }
        qsort(samples, count, sizeof(double), cmp);
        double med = samples[count / 2], slowest;
        MPI_Allreduce(&med, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (rank == 0) {
            double alg = bytes / slowest / 1e9;
            printf("%ld %.9g %.6g %.6g\n", bytes, slowest, alg, alg * 2.0 * (size - 1) / size);
            fflush(stdout);
        }
    }
    free(buf);
    MPI_Finalize();
    return 0;
}
