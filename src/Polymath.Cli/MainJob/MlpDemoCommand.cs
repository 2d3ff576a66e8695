using System.Diagnostics;
using System.Globalization;

namespace Polymath.Cli;

/// <summary>
/// The first demo, kept as <c>polymath demo mlp</c>: a 2-16-1 tanh MLP fitted by gradient descent written with Tensor
/// ops and autograd.
/// </summary>
internal static class MlpDemoCommand
{
    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("demo mlp");
            return 0;
        }
        var args = new Args("demo mlp", argv);
        int steps = args.Int("--steps", 1, 10_000_000) ?? 3000;
        double lr = args.Double("--lr", 1e-9, 100) ?? 0.2;
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 42;
        int? threads = args.Int("--threads", 1, 1024);
        args.End();
        if (threads is int t)
            Threads.Count = t;

        var inv = CultureInfo.InvariantCulture;
        Polymath.Random.Seed((ulong)seed);
        var gen = Polymath.Random.Default;

        // Data: 256 points in [-1, 1]^2, target y = sin(pi*x1) * x2 + 0.5*x1^2.
        const int n = 256, hidden = 16;
        var xs = new float[n * 2];
        gen.FillUniform(xs, -1f, 1f);
        var ys = new float[n];
        for (int i = 0; i < n; i++)
        {
            float x1 = xs[2 * i], x2 = xs[2 * i + 1];
            ys[i] = MathF.Sin(MathF.PI * x1) * x2 + 0.5f * x1 * x1;
        }
        var x = Tensor.From(xs, n, 2);
        var y = Tensor.From(ys, n, 1);

        // Parameters: Xavier-style normal init, then marked as leaves that need gradients.
        var w1 = Normal(gen, 1.0f, 2, hidden).RequiresGrad_();
        var b1 = Tensor.Zeros(hidden).RequiresGrad_();
        var w2 = Normal(gen, MathF.Sqrt(1f / hidden), hidden, 1).RequiresGrad_();
        var b2 = Tensor.Zeros(1).RequiresGrad_();
        Tensor[] parameters = [w1, b1, w2, b2];

        Console.WriteLine($"Polymath demo: fit a 2-{hidden}-1 tanh MLP to y = sin(pi*x1)*x2 + 0.5*x1^2 on {n} points");
        Console.WriteLine($"full-batch gradient descent, lr {lr.ToString(inv)}, {steps} steps, seed {seed}, " +
                          $"{Threads.Count} thread(s), matmul: {Blas.Provider}");
        double variance = Variance(ys);
        double first = double.NaN, loss = double.NaN;
        int every = Math.Max(1, steps / 10);
        var sw = Stopwatch.StartNew();
        for (int step = 0; step <= steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            // Forward: recorded by autograd because the parameters require grad.
            var h = (x.MatMul(w1) + b1).Tanh();
            var pred = h.MatMul(w2) + b2;
            var diff = pred - y;
            var lossT = (diff * diff).Mean();
            loss = lossT.Item();
            if (step == 0)
                first = loss;
            if (step % every == 0 || step == steps)
                Console.WriteLine($"  step {step.ToString(inv),6}  loss {loss.ToString("F6", inv)}");
            if (step == steps)
                break;
            if (!double.IsFinite(loss))
            {
                Console.Error.WriteLine("polymath demo mlp: the loss diverged; try a smaller --lr.");
                return 1;
            }
            lossT.Backward();
            // SGD update, not recorded.
            using (Tensor.NoGrad())
            {
                foreach (var p in parameters)
                {
                    p.SubInPlace(p.Grad! * lr);
                    p.Grad = null;
                }
            }
        }
        sw.Stop();
        double r2 = 1 - loss / variance;
        Console.WriteLine($"final: loss {loss.ToString("F6", inv)} after {steps} steps (from {first.ToString("F6", inv)}, " +
                          $"{(first / loss).ToString("F1", inv)}x lower), R^2 = {r2.ToString("F4", inv)}, " +
                          $"{sw.Elapsed.TotalSeconds.ToString("F2", inv)} s");
        return 0;
    }

    private static Tensor Normal(Generator gen, float std, params int[] shape)
    {
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        gen.FillNormal(data, 0f, std);
        return Tensor.From(data, shape);
    }

    private static double Variance(float[] v)
    {
        double mean = v.Average(f => (double)f);
        return v.Average(f => (f - mean) * (f - mean));
    }
}
