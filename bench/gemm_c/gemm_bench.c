/* Reference timing of OpenBLAS cblas_sgemm called from C, row-major, no transposes.
 * Usage: ./gemm_bench THREADS [N ...]   (default sizes 256 512 1024 2048)
 * Prints one JSON line per size: {"n":..,"threads":..,"median_s":..,"gflops":..}
 * Each size: warm-up for >= 0.4 s, then enough repetitions for ~20 GFLOP (3..200), median time. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    int defaults[] = {256, 512, 1024, 2048};
    int nsizes = argc > 2 ? argc - 2 : 4;
    openblas_set_num_threads(threads);
    fprintf(stderr, "openblas: %s (core %s)\n", openblas_get_config(), openblas_get_corename());
    for (int s = 0; s < nsizes; s++) {
        int n = argc > 2 ? atoi(argv[s + 2]) : defaults[s];
        size_t len = (size_t)n * n;
        float *a = aligned_alloc(64, len * sizeof(float));
        float *b = aligned_alloc(64, len * sizeof(float));
        float *c = aligned_alloc(64, len * sizeof(float));
        srand(1);
        for (size_t i = 0; i < len; i++) {
            a[i] = (float)rand() / RAND_MAX;
            b[i] = (float)rand() / RAND_MAX;
            c[i] = 0;
        }
        double flops = 2.0 * n * n * n;
        int reps = (int)(2e10 / flops);
        if (reps < 3) reps = 3;
        if (reps > 200) reps = 200;
        double t0 = now();
        while (now() - t0 < 0.4)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double *ts = malloc(reps * sizeof(double));
        for (int r = 0; r < reps; r++) {
            double t = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            ts[r] = now() - t;
        }
        qsort(ts, reps, sizeof(double), cmp);
        double med = ts[reps / 2];
        printf("{\"n\":%d,\"threads\":%d,\"median_s\":%.6g,\"gflops\":%.1f}\n", n, threads, med, flops / med / 1e9);
        fflush(stdout);
        free(ts);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
