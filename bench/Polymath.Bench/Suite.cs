using System.Text.Json.Nodes;

namespace Polymath.Bench;

/// <summary>The rows of <c>polymath bench</c>: GEMM, elementwise and reductions, small-op overhead, conv, softmax, layer norm, linear, training steps.</summary>
public static class Suite
{
    private const ulong Seed = 1234;

    /// <summary>All cases for the given mode (quick: fewer reps, smaller sizes); <paramref name="seed"/> seeds the training-run rows (amp).</summary>
    public static List<BenchCase> Cases(bool quick, int seed = 0)
    {
        var cases = new List<BenchCase>();
        double warmS = quick ? 0.05 : 0.25;
        var heavy = quick ? new MeasureSettings(1, 0.05, 3, 20, 1, warmS) : new MeasureSettings(2, 0.3, 5, 100, 1, warmS);
        var stream = quick ? new MeasureSettings(2, 0.05, 3, 50, 1, warmS) : new MeasureSettings(3, 0.3, 7, 200, 1, warmS);
        var conv = quick ? new MeasureSettings(1, 0.05, 3, 20, 1, warmS) : new MeasureSettings(2, 0.3, 5, 50, 1, warmS);
        var tiny = quick ? new MeasureSettings(2000, 0.05, 5, 100, 2000, warmS) : new MeasureSettings(20000, 0.3, 9, 200, 10000, warmS);

        // a) GEMM, square float32.
        int[] sizes = quick ? [256, 512] : [256, 512, 1024, 2048];
        foreach (int n in sizes)
        {
            int steps = n >= 2048 ? 7 : n >= 1024 ? 15 : 30;
            int warm = n >= 2048 ? 2 : 5;
            if (quick)
                (steps, warm) = (5, 1);
            foreach (bool openBlas in new[] { false, true })
            {
                var c = new BenchCase
                {
                    Name = $"gemm_{n}_{(openBlas ? "openblas" : "managed")}",
                    Group = "gemm",
                    Ours = () => Gemm(n, openBlas, heavy),
                    SkipReason = openBlas && !Blas.OpenBlasAvailable ? "OpenBLAS is not available to Polymath (libopenblas not loaded)" : null,
                    Peer = PeerKind.TorchWorkload,
                    Workload = $"matmul_{n}",
                    WorkloadSteps = steps,
                    WorkloadWarmup = warm,
                    GemmCSize = n,
                    Flops = 2.0 * n * n * n,
                };
                c.Info.Add(new("provider", openBlas ? "openblas" : "managed"));
                cases.Add(c);
            }
        }

        // b) Elementwise and reductions on large tensors, against measured memory bandwidth.
        int len = quick ? 4 << 20 : 16 << 20;
        string m = $"{len >> 20}M";
        cases.Add(Stream($"add_{m}", "add", len, 3, stream, (a, b) => a.Add(b)));
        cases.Add(Stream($"mul_{m}", "mul", len, 3, stream, (a, b) => a.Mul(b)));
        cases.Add(Stream($"exp_{m}", "exp", len, 2, stream, (a, _) => a.Exp()));
        cases.Add(Stream($"relu_{m}", "relu", len, 2, stream, (a, _) => a.Relu()));
        cases.Add(Stream($"sum_{m}", "sum", len, 1, stream, (a, _) => a.Sum()));
        cases.Add(Stream($"max_{m}", "max", len, 1, stream, (a, _) => a.Max()));

        // c) Small-tensor op overhead.
        foreach (bool grad in new[] { false, true })
        {
            cases.Add(new BenchCase
            {
                Name = $"small_add_64_{(grad ? "grad" : "nograd")}",
                Group = "overhead",
                Ours = () => SmallAdd(grad, tiny),
                Peer = PeerKind.TorchOps,
                TorchSpec = Spec($"small_add_64_{(grad ? "grad" : "nograd")}", "small_add", tiny, new() { ["shape"] = Shape(64), ["requires_grad"] = grad }),
                Nanoseconds = true,
            });
        }

        // d) conv2d forward+backward, softmax, layer norm, linear.
        cases.Add(new BenchCase
        {
            Name = "conv_lenet_fwdbwd",
            Group = "conv",
            Ours = () => Conv([64, 6, 14, 14], [16, 6, 5, 5], 0, conv),
            Peer = PeerKind.TorchWorkload,
            Workload = "conv_lenet",
            WorkloadSteps = quick ? 5 : 30,
            WorkloadWarmup = quick ? 1 : 5,
            Flops = 3 * ConvFlops([64, 6, 14, 14], [16, 6, 5, 5], 0),
        });
        int batch = quick ? 4 : 32;
        int[] rx = [batch, 64, 56, 56], rw = [64, 64, 3, 3];
        string rname = $"conv_resnet_b{batch}_fwdbwd";
        cases.Add(new BenchCase
        {
            Name = rname,
            Group = "conv",
            Ours = () => Conv(rx, rw, 1, conv),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec(rname, "conv2d_fwdbwd", conv, new() { ["input"] = Shape(rx), ["weight"] = Shape(rw), ["padding"] = 1 }),
            Flops = 3 * ConvFlops(rx, rw, 1),
        });

        cases.Add(new BenchCase
        {
            Name = "softmax_256x1024_fwd",
            Group = "softmax",
            Ours = () => Softmax(256, 1024, backward: false, stream),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec("softmax_256x1024_fwd", "softmax_fwd", stream, new() { ["shape"] = Shape(256, 1024) }),
        });
        cases.Add(new BenchCase
        {
            Name = "softmax_256x1024_fwdbwd",
            Group = "softmax",
            Ours = () => Softmax(256, 1024, backward: true, stream),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec("softmax_256x1024_fwdbwd", "softmax_fwdbwd", stream, new() { ["shape"] = Shape(256, 1024) }),
        });
        int rows = quick ? 1024 : 8192;
        string lname = $"layernorm_{rows}x768_fwdbwd";
        cases.Add(new BenchCase
        {
            Name = lname,
            Group = "layernorm",
            Ours = () => LayerNorm(rows, 768, conv),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec(lname, "layernorm_fwdbwd", conv, new() { ["shape"] = Shape(rows, 768) }),
        });
        string fname = $"layernorm_fused_{rows}x768_fwdbwd";
        cases.Add(new BenchCase
        {
            Name = fname,
            Group = "layernorm",
            Ours = () => LayerNorm(rows, 768, conv, fused: true),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec(fname, "layernorm_fused_fwdbwd", conv, new() { ["shape"] = Shape(rows, 768) }),
        });
        cases.Add(new BenchCase
        {
            Name = "linear_128x784x512_fwdbwd",
            Group = "matmul",
            Ours = () => Linear(128, 784, 512, heavy),
            Peer = PeerKind.TorchOps,
            TorchSpec = Spec("linear_128x784x512_fwdbwd", "linear_fwdbwd", heavy, new() { ["m"] = 128, ["k"] = 784, ["n"] = 512 }),
            Flops = 3 * 2.0 * 128 * 784 * 512,
        });

        // e) Whole training steps of the model zoo against the shared torch workloads (same shapes, Adam lr 1e-3,
        //    cross-entropy, float32): zero_grad + forward + loss + backward + step.
        var train = quick ? new MeasureSettings(1, 0.05, 3, 10, 1, warmS) : new MeasureSettings(5, 1.0, 30, 200, 1, warmS);
        foreach (var (name, workload, batchSize) in new[] { ("train_mlp", "mlp", 128), ("train_lenet", "lenet", 64), ("train_lstm", "lstm", 32) })
        {
            var c = new BenchCase
            {
                Name = name,
                Group = "training",
                Ours = () => TrainStep(workload, train),
                Peer = PeerKind.TorchWorkload,
                Workload = workload,
                WorkloadSteps = quick ? 5 : 30,
                WorkloadWarmup = quick ? 1 : 5,
                Batch = batchSize,
                PeakRss = true,
            };
            c.Info.Add(new("batch", batchSize));
            c.Info.Add(new("optimizer", "adam lr 1e-3"));
            cases.Add(c);
        }

        // e2) The character-level GPT step of polymath pretrain gpt against bench/peers/gpt_char.py (same shapes and optimizer).
        cases.Add(GptBench.Case(quick, warmS));
        // e3) The BERT masked-language-model step of polymath pretrain bert against bench/peers/bert_mlm.py.
        cases.Add(BertBench.Case(quick, warmS));
        cases.AddRange(TokenizerBench.Cases(quick, warmS));

        // f) The DataLoader feeding MNIST batches of 128 (shuffled, 2 workers): time per batch over whole epochs.
        //    No peer; compare it with train_lenet / train_mlp: a loader faster than a step never stalls the trainer.
        string mnist = Path.Combine(RepoPaths.Root ?? ".", "..", "shared", "data", "mnist");
        cases.Add(new BenchCase
        {
            Name = "loader_mnist_b128",
            Group = "data",
            Ours = () => LoaderEpochs(mnist, quick ? 1 : 3),
            Peer = PeerKind.None,
            SkipReason = Directory.Exists(mnist) ? null : $"MNIST not found at {Path.GetFullPath(mnist)}",
        });
        // h) Mixed precision: fp32 / bf16 / fp16 training of the MLP, LeNet-5 and a small GPT (memory, step time, final metric).
        cases.AddRange(AmpBench.Cases(quick, warmS, seed));
        // i) State-vector simulation.
        cases.AddRange(QuantumSuite.Cases(quick));
        // j) Int8 GEMM and int8 inference against float32 (issue 8).
        cases.AddRange(CompressionBench.Cases(quick, heavy));
        return cases;
    }

    /// <summary>One training step of the model the torch workload of the same name builds, on seeded random data.</summary>
    private static Measurement TrainStep(string workload, MeasureSettings s)
    {
        var g = new Generator(Seed);
        Polymath.Random.Seed(Seed);
        Polymath.NN.Module<Tensor, Tensor> model;
        Tensor x;
        int batch;
        switch (workload)
        {
            case "mlp":
                (model, batch) = (new Polymath.Models.Mlp(), 128);
                x = Randn([batch, 784], 1);
                break;
            case "lenet":
                (model, batch) = (new Polymath.Models.LeNet5(), 64);
                x = Randn([batch, 1, 28, 28], 1);
                break;
            default:
                (model, batch) = (new Polymath.Models.LstmClassifier(), 32);
                var tokens = new long[batch * 64];
                for (int i = 0; i < tokens.Length; i++) tokens[i] = (long)(g.NextUInt64() % 64);
                x = Tensor.From(tokens, batch, 64);
                break;
        }
        var labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = (long)(g.NextUInt64() % 10);
        var y = Tensor.From(labels, batch);
        var opt = new Polymath.NN.Optim.Adam(model.Parameters(), lr: 1e-3);
        return Harness.Measure(() =>
        {
            opt.ZeroGrad();
            Polymath.NN.Losses.CrossEntropy(model.Call(x), y).Backward();
            opt.Step();
        }, s);
    }

    private static BenchCase Stream(string name, string op, int len, int arrays, MeasureSettings s, Func<Tensor, Tensor, Tensor> f) => new()
    {
        Name = name,
        Group = op is "sum" or "max" ? "reduction" : "elementwise",
        Ours = () =>
        {
            var a = Randn(len, 1);
            var b = Randn(len, 2);
            using (Tensor.NoGrad())
                return Harness.Measure(() => f(a, b), s);
        },
        Peer = PeerKind.TorchOps,
        TorchSpec = Spec(name, op, s, new() { ["shape"] = Shape(len) }),
        Bytes = 4.0 * arrays * len,
    };

    private static JsonObject Spec(string name, string op, MeasureSettings s, JsonObject extra)
    {
        var o = new JsonObject
        {
            ["name"] = name,
            ["op"] = op,
            ["warmup"] = s.Warmup,
            ["min_time"] = s.MinTime,
            ["min_reps"] = s.MinReps,
            ["max_reps"] = s.MaxReps,
            ["inner"] = s.Inner,
            ["warmup_time"] = s.WarmupTime,
        };
        foreach (var kv in extra.ToList())
        {
            extra.Remove(kv.Key);
            o[kv.Key] = kv.Value;
        }
        return o;
    }

    private static JsonArray Shape(params int[] shape) => new(shape.Select(d => (JsonNode)d).ToArray());

    internal static Tensor Randn(int[] shape, ulong stream)
    {
        long n = 1;
        foreach (int d in shape)
            n *= d;
        var data = GC.AllocateUninitializedArray<float>(checked((int)n));
        new Generator(Seed + stream).FillNormal(data);
        return Tensor.Wrap(data, shape);
    }

    private static Tensor Randn(int len, ulong stream) => Randn([len], stream);

    private static Measurement Gemm(int n, bool openBlas, MeasureSettings s)
    {
        bool saved = Blas.UseOpenBlas;
        try
        {
            Blas.UseOpenBlas = openBlas;
            var a = Randn([n, n], 1);
            var b = Randn([n, n], 2);
            using (Tensor.NoGrad())
                return Harness.Measure(() => a.MatMul(b), s);
        }
        finally
        {
            if (!saved || Blas.OpenBlasAvailable)
                Blas.UseOpenBlas = saved;
        }
    }

    private static Measurement SmallAdd(bool grad, MeasureSettings s)
    {
        var a = Randn([64], 1);
        var b = Randn([64], 2);
        if (grad)
        {
            a.RequiresGrad = true;
            b.RequiresGrad = true;
            return Harness.Measure(() => a.Add(b), s);
        }
        using (Tensor.NoGrad())
            return Harness.Measure(() => a.Add(b), s);
    }

    private static double ConvFlops(int[] x, int[] w, int pad)
    {
        int ho = x[2] + 2 * pad - w[2] + 1, wo = x[3] + 2 * pad - w[3] + 1;
        return 2.0 * x[0] * w[0] * ho * wo * w[1] * w[2] * w[3];
    }

    private static Measurement Conv(int[] xs, int[] ws, int pad, MeasureSettings s)
    {
        var x = Randn(xs, 1).RequiresGrad_();
        var w = Randn(ws, 2).RequiresGrad_();
        return Harness.Measure(() =>
        {
            x.Grad = null;
            w.Grad = null;
            Functional.Conv2d(x, w, padding: pad).Sum().Backward();
        }, s);
    }

    private static Measurement Softmax(int rows, int cols, bool backward, MeasureSettings s)
    {
        var x = Randn([rows, cols], 1);
        if (!backward)
        {
            using (Tensor.NoGrad())
                return Harness.Measure(() => x.Softmax(-1), s);
        }
        x.RequiresGrad = true;
        var gy = Randn([rows, cols], 2);
        return Harness.Measure(() =>
        {
            x.Grad = null;
            x.Softmax(-1).Backward(gy);
        }, s);
    }

    // Seconds per batch for whole shuffled epochs of MNIST through the DataLoader (median over epochs).
    private static Measurement LoaderEpochs(string root, int epochs)
    {
        var data = new Polymath.Data.Mnist(root, train: true);
        var loader = Polymath.Data.DataLoader.Create(data, batchSize: 128, shuffle: true, seed: 1, numWorkers: 2);
        var perBatch = new List<double>();
        for (int e = 0; e <= epochs; e++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            int batches = 0;
            foreach (var _ in loader)
                batches++;
            if (e > 0) // the first epoch warms up
                perBatch.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds / batches);
        }
        perBatch.Sort();
        return new Measurement(perBatch[perBatch.Count / 2], perBatch[0], perBatch.Count);
    }

    private static Measurement LayerNorm(int rows, int d, MeasureSettings s, bool fused = false)
    {
        var x = Randn([rows, d], 1).RequiresGrad_();
        var gamma = Randn([d], 2).RequiresGrad_();
        var beta = Randn([d], 3).RequiresGrad_();
        var gy = Randn([rows, d], 4);
        const double eps = 1e-5;
        return Harness.Measure(() =>
        {
            x.Grad = gamma.Grad = beta.Grad = null;
            if (fused)
            {
                Functional.LayerNorm(x, [d], gamma, beta, eps).Backward(gy);
                return;
            }
            var mean = x.Mean(-1, keepDim: true);
            var xc = x - mean;
            var variance = (xc * xc).Mean(-1, keepDim: true);
            var y = xc / (variance + eps).Sqrt() * gamma + beta;
            y.Backward(gy);
        }, s);
    }

    private static Measurement Linear(int m, int k, int n, MeasureSettings s)
    {
        var x = Randn([m, k], 1).RequiresGrad_();
        var w = Randn([k, n], 2).RequiresGrad_();
        return Harness.Measure(() =>
        {
            x.Grad = w.Grad = null;
            x.MatMul(w).Sum().Backward();
        }, s);
    }
}
