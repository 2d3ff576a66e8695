/* STREAM-style memory bandwidth reference for `polymath bench` (the kernels of McCalpin's STREAM:
 * copy, scale, add, triad, plus a read-only sum), in float32 over arrays of N elements, OpenMP threads.
 * Usage: ./stream THREADS [N] [RUNS]. Prints one JSON line per kernel with the best GB/s over RUNS,
 * counting the bytes the kernel names (no write-allocate traffic), as STREAM does. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    long n = argc > 2 ? atol(argv[2]) : 16L << 20;
    int runs = argc > 3 ? atoi(argv[3]) : 10;
    omp_set_num_threads(threads);
    float *a = aligned_alloc(64, n * sizeof(float));
    float *b = aligned_alloc(64, n * sizeof(float));
    float *c = aligned_alloc(64, n * sizeof(float));
    if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 1; }
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { a[i] = 0.0f; b[i] = 1.0f; c[i] = 2.0f; }

    const char *names[5] = {"copy", "scale", "add", "triad", "read"};
    const double bytes[5] = {8.0 * n, 8.0 * n, 12.0 * n, 12.0 * n, 4.0 * n};
    double best[5] = {0, 0, 0, 0, 0};
    volatile float sink = 0;
    for (int r = 0; r <= runs; r++) {
        for (int k = 0; k < 5; k++) {
            double t0 = now();
            float s = 0;
            switch (k) {
            case 0:
                #pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) a[i] = b[i];
                break;
            case 1:
                #pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) a[i] = 3.0f * b[i];
                break;
            case 2:
                #pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) a[i] = b[i] + c[i];
                break;
            case 3:
                #pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) a[i] = b[i] + 3.0f * c[i];
                break;
            case 4:
                #pragma omp parallel for schedule(static) reduction(+ : s)
                for (long i = 0; i < n; i++) s += b[i];
                sink += s;
                break;
            }
            double t = now() - t0;
            if (r > 0 && bytes[k] / t / 1e9 > best[k]) best[k] = bytes[k] / t / 1e9;
        }
    }
    double top = 0;
    for (int k = 0; k < 5; k++) {
        printf("{\"kernel\": \"%s\", \"gbs\": %.3f, \"n\": %ld, \"threads\": %d}\n", names[k], best[k], n, threads);
        if (best[k] > top) top = best[k];
    }
    printf("{\"kernel\": \"best\", \"gbs\": %.3f, \"n\": %ld, \"threads\": %d}\n", top, n, threads);
    free(a); free(b); free(c);
    return 0;
}
