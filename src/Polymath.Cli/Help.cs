namespace Polymath.Cli;

internal static class Help
{
    public static void Top()
    {
        Console.WriteLine($"""
            polymath {Program.Version} - Polymath, a deep-learning engine written from scratch in C#

            Usage: polymath [command] [options]

            Commands:
              demo     (default) fit a tiny MLP with Tensor ops and autograd, printing the falling loss
              bench    time Polymath's kernels against PyTorch (and C OpenBLAS) in the same run
              help     show help for a command: polymath help bench

            Options:
              -h, --help   show this help
              --version    print the version

            Exit codes: 0 success, 1 failure, 2 bad command line, 130 cancelled (Ctrl-C).
            """);
    }

    public static bool Command(string name)
    {
        switch (name)
        {
            case "demo":
                Console.WriteLine("""
                    Usage: polymath demo [--steps N] [--lr X] [--seed S] [--threads N]

                    Fits a 2-16-1 tanh MLP to a synthetic regression set (y = sin(pi*x1) * x2 + 0.5*x1^2 on
                    256 points) by full-batch gradient descent written with Tensor ops and autograd; the SGD
                    update runs inside Tensor.NoGrad(). Deterministic for a given seed and thread count.

                    Options:
                      --steps N     gradient steps (default 3000)
                      --lr X        learning rate (default 0.2)
                      --seed S      random seed (default 42)
                      --threads N   Polymath threads (default: all cores)
                    """);
                return true;
            case "bench":
                Console.WriteLine("""
                    Usage: polymath bench [--filter PATTERN]... [--threads N] [--json] [--quick] [--no-peer] [--list]

                    Times Polymath ops and the same ops in PyTorch (/usr/bin/python3 with python3-torch; set
                    POLYMATH_PYTHON to use another Python) in one run, with the same shapes and thread count.
                    Each row: ours (median s/op), the peer's time, ratio = peer/ours (>1: Polymath faster),
                    and extra figures (GFLOP/s; GB/s and the fraction of the memory bandwidth measured in the
                    same run; C OpenBLAS time for GEMM from bench/gemm_c).

                    Options:
                      --filter PATTERN   only rows whose "group/name" contains PATTERN (or matches a glob with
                                         * and ?); repeatable, comma-separated lists allowed
                      --threads N        threads for Polymath and the peers (default: all cores)
                      --json             one JSON object per row (name, ours_s, peer_s, ratio, unit, extras)
                      --quick            fewer repetitions and only the smaller sizes (CI smoke test)
                      --no-peer          time Polymath only
                      --list             list the rows that would run, and exit

                    Groups: gemm, elementwise, reduction, overhead, conv, softmax, layernorm, matmul.
                    """);
                return true;
            case "help":
                Top();
                return true;
            default:
                return false;
        }
    }
}
