using Polymath.Amp;
using Polymath.Autograd;
using Polymath.Data;
using Polymath.Models;
using Polymath.Models.Gpt;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Amp;

namespace Polymath.Bench;

/// <summary>
/// Mixed precision (group <c>amp</c>): for the MLP and LeNet-5 on an MNIST subset and a small character-level GPT on
/// Tiny Shakespeare, one row per precision (fp32, bf16, fp16). Each row trains a freshly seeded model for a short
/// run (one epoch over the subset, or a fixed number of GPT steps), then reports the final test accuracy / loss, the
/// bytes of the float32 master weights and of the activations the autograd graph saves for backward on the timing
/// batch, and the median training-step time (zero_grad, forward + loss under autocast, backward, step; fp16 scales
/// the loss with a GradScaler). The 16-bit weight copies that autocast makes and the graph keeps for the step are
/// reported apart (weight_copies_mb) and counted in weights_plus_activations_mb. bf16/fp16 rows also give the ratios to the fp32 row of the same run. The
/// comparison is ours against ours: the fp32 row is the peer. The seed (<c>polymath bench --seed S</c>) moves the
/// initialisation and the training-batch order together; seed 0 gives the documented runs, and several seeds give
/// the seed-to-seed spread of each precision.
/// </summary>
internal static class AmpBench
{
    private static readonly Dictionary<string, Dictionary<string, double>> s_fp32 = [];

    public static IEnumerable<BenchCase> Cases(bool quick, double warmS, int seed = 0)
    {
        string data = Path.Combine(RepoPaths.Root ?? ".", "..", "shared", "data");
        var timing = quick ? new MeasureSettings(1, 0.05, 2, 5, 1, warmS) : new MeasureSettings(2, 1.0, 5, 50, 1, warmS);
        foreach (var model in new[] { "mlp", "lenet5", "gpt" })
        {
            string folder = Path.Combine(data, model == "gpt" ? "tinyshakespeare" : "mnist");
            foreach (var precision in new DType?[] { null, DType.BFloat16, DType.Float16 })
            {
                string p = precision switch { DType.BFloat16 => "bf16", DType.Float16 => "fp16", _ => "fp32" };
                BenchCase c = null!;
                c = new BenchCase
                {
                    Name = $"amp_{model}_{p}",
                    Group = "amp",
                    Ours = () => Run(model, precision, folder, quick, timing, c, (ulong)seed),
                    Peer = PeerKind.None,
                    SkipReason = Directory.Exists(folder) ? null : $"data not found at {Path.GetFullPath(folder)}",
                };
                c.Info.Add(new("precision", p));
                c.Info.Add(new("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                cases(c, model, quick);
                yield return c;
            }
        }

        static void cases(BenchCase c, string model, bool quick) => c.Info.Add(new("setup", model switch
        {
            "mlp" => $"MLP 784-512-256-10, Adam 1e-3, batch 64, 1 epoch on {(quick ? 1000 : 10000)} MNIST images, test on {(quick ? 1000 : 10000)}; timing batch 128",
            "lenet5" => $"LeNet-5, Adam 1e-3, batch 64, 1 epoch on {(quick ? 1000 : 10000)} MNIST images, test on {(quick ? 1000 : 10000)}; timing batch 64",
            _ => $"GPT 4x128 (4 heads, context 64, char vocab), AdamW 2e-3, batch 16x64, {(quick ? 10 : 200)} steps; val loss on 32 fixed windows",
        }));
    }

    private static Measurement Run(string model, DType? precision, string folder, bool quick, MeasureSettings timing, BenchCase c, ulong seed)
    {
        // Seed 0 keeps the original constants. The validation windows, the test set and the timing batch stay fixed.
        Polymath.Random.Seed(1234 + seed);
        var gen = new Generator(1234 + seed);
        var scaler = precision == DType.Float16 ? new GradScaler() : null;
        Module net;
        Optimizer opt;
        Func<Tensor, Tensor, Tensor> lossOf;
        Func<IEnumerable<(Tensor X, Tensor Y)>> trainBatches;
        Func<(double? Accuracy, double Loss)> evaluate;
        (Tensor X, Tensor Y) timingBatch;
        var sw = System.Diagnostics.Stopwatch.StartNew();

        if (model == "gpt")
        {
            string text = File.ReadAllText(Path.Combine(folder, "input.txt"));
            var chars = text.Distinct().Order().ToArray();
            var index = chars.Select((ch, i) => (ch, i)).ToDictionary(t => t.ch, t => (long)t.i);
            var ids = text.Select(ch => index[ch]).ToArray();
            int split = (int)(ids.Length * 0.9);
            const int context = 64, batch = 16;
            var gpt = new GptModel(new GptConfig { VocabSize = chars.Length, ContextLength = context, EmbeddingDim = 128, Layers = 4, Heads = 4 }, gen);
            net = gpt;
            opt = new AdamW(gpt.Parameters(), lr: 2e-3);
            lossOf = (x, y) => gpt.Loss(x, y);
            (Tensor, Tensor) Windows(int count, int from, int to, Generator g)
            {
                var xs = new long[count * context];
                var ys = new long[count * context];
                var starts = new long[count];
                g.FillRandInt(starts, from, to - context - 1);
                for (int b = 0; b < count; b++)
                {
                    Array.Copy(ids, starts[b], xs, b * context, context);
                    Array.Copy(ids, starts[b] + 1, ys, b * context, context);
                }
                return (Tensor.From(xs, count, context), Tensor.From(ys, count, context));
            }
            int steps = quick ? 10 : 200;
            var dataGen = new Generator(99 + seed);
            trainBatches = () => Enumerable.Range(0, steps).Select(_ => Windows(batch, 0, split, dataGen));
            var val = Windows(32, split, ids.Length, new Generator(7));
            evaluate = () =>
            {
                using (Tensor.NoGrad())
                using (Cast(precision))
                    return (null, gpt.Loss(val.Item1, val.Item2).Item());
            };
            timingBatch = Windows(batch, 0, split, new Generator(5));
        }
        else
        {
            int nTrain = quick ? 1000 : 10000, nTest = quick ? 1000 : 10000;
            var train = new Mnist(folder, train: true);
            var test = new Mnist(folder, train: false);
            Tensor Standardize(Tensor x) => (x - 0.1307) / 0.3081;
            var xTrain = Standardize(train.Images.Narrow(0, 0, nTrain));
            var yTrain = train.Labels.Narrow(0, 0, nTrain);
            var xTest = Standardize(test.Images.Narrow(0, 0, nTest));
            var yTest = test.Labels.Narrow(0, 0, nTest);
            Module<Tensor, Tensor> m = model == "mlp" ? new Mlp(784, [512, 256], 10, gen) : new LeNet5(generator: gen);
            net = m;
            opt = new Adam(m.Parameters(), lr: 1e-3);
            lossOf = (x, y) => Losses.CrossEntropy(m.Call(x), y);
            var perm = Tensor.Randperm(nTrain, new Generator(42 + seed));
            trainBatches = () => Enumerable.Range(0, nTrain / 64).Select(b =>
            {
                var rows = perm.Narrow(0, b * 64, 64);
                return (xTrain.IndexSelect(0, rows), yTrain.IndexSelect(0, rows));
            });
            evaluate = () =>
            {
                m.Eval();
                double correct = 0, loss = 0;
                using (Tensor.NoGrad())
                using (Cast(precision))
                    for (int s = 0; s < nTest; s += 1000)
                    {
                        int n = Math.Min(1000, nTest - s);
                        var logits = m.Call(xTest.Narrow(0, s, n));
                        var y = yTest.Narrow(0, s, n);
                        correct += logits.ArgMax(1).Eq(y).To(DType.Float64).Sum().Item();
                        loss += Losses.CrossEntropy(logits, y).Item() * n;
                    }
                m.Train();
                return (correct / nTest, loss / nTest);
            };
            int tb = model == "mlp" ? 128 : 64;
            // Own copies: a view would make the graph's saved input count as the whole training set's storage.
            timingBatch = (xTrain.Narrow(0, 0, tb).Clone(), yTrain.Narrow(0, 0, tb).Clone());
        }

        void Step(Tensor x, Tensor y)
        {
            opt.ZeroGrad();
            Tensor loss;
            using (Cast(precision))
                loss = lossOf(x, y);
            if (scaler is null)
            {
                loss.Backward();
                opt.Step();
                return;
            }
            scaler.Scale(loss).Backward();
            scaler.Step(opt);
            scaler.Update();
        }

        // 1) The short training run from the seeded initialisation, then the final metric.
        foreach (var (x, y) in trainBatches())
            Step(x, y);
        var (accuracy, finalLoss) = evaluate();
        double trainS = sw.Elapsed.TotalSeconds;

        // 2) Memory: the float32 master weights, and what one forward on the timing batch saves for backward.
        var parameters = net.Parameters().ToList();
        double weightsMb = parameters.Sum(p => p.Numel * p.DType.ElementSize()) / 1048576.0;
        double savedMb, copiesMb;
        {
            opt.ZeroGrad();
            Tensor loss;
            using (Cast(precision))
                loss = lossOf(timingBatch.X, timingBatch.Y);
            long saved = GraphMemory.SavedBytes(loss, parameters, out long copies);
            copiesMb = copies / 1048576.0;
            savedMb = (saved - copies) / 1048576.0;
        }

        // 3) Step time.
        var m0 = Harness.Measure(() => Step(timingBatch.X, timingBatch.Y), timing);

        var r = c.Results;
        if (accuracy is double a)
            r["final_accuracy"] = Math.Round(a * 100, 2);
        r["final_loss"] = Math.Round(finalLoss, 4);
        r["weights_mb"] = Math.Round(weightsMb, 3);
        r["activations_mb"] = Math.Round(savedMb, 3);
        r["weight_copies_mb"] = Math.Round(copiesMb, 3);
        r["weights_plus_activations_mb"] = Math.Round(weightsMb + copiesMb + savedMb, 3);
        r["train_run_s"] = Math.Round(trainS, 2);
        if (scaler is not null)
        {
            r["loss_scale"] = scaler.LossScale;
            r["skipped_steps"] = scaler.SkippedSteps;
        }
        var mine = new Dictionary<string, double> { ["step"] = m0.MedianS, ["act"] = savedMb, ["total"] = weightsMb + copiesMb + savedMb, ["loss"] = finalLoss, ["acc"] = accuracy ?? double.NaN };
        if (precision is null)
            s_fp32[model] = mine;
        else if (s_fp32.TryGetValue(model, out var f))
        {
            r["step_time_vs_fp32"] = Math.Round(m0.MedianS / f["step"], 3);
            r["activations_vs_fp32"] = Math.Round(savedMb / f["act"], 3);
            r["weights_plus_activations_vs_fp32"] = Math.Round((weightsMb + copiesMb + savedMb) / f["total"], 3);
            r["loss_change_pct"] = Math.Round((finalLoss - f["loss"]) / f["loss"] * 100, 2);
            if (accuracy is double acc)
                r["accuracy_change_points"] = Math.Round((acc - f["acc"]) * 100, 2);
        }
        return m0;
    }

    private static AutocastScope Cast(DType? precision) => precision is { } p ? Autocast.Enable(p) : Autocast.Current;
}
