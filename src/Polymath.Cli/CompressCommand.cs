using System.Diagnostics;
using System.Globalization;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Compression;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath compress prune|quantize|distill</c>: compresses a checkpoint written by <c>polymath train</c> (or a float
/// model trained on the spot) and prints a before/after table of size, test accuracy and inference speed.
/// </summary>
internal static class CompressCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--checkpoint", "--model", "--dataset", "--data-dir", "--epochs", "--train-limit", "--test-limit", "--batch-size", "--lr", "--seed",
        "--threads", "--out", "--method", "--sparsity", "--rounds", "--finetune-batches", "--mode", "--observer", "--calibration",
        "--qat-batches", "--student-hidden", "--temperature", "--alpha", "--seeds", "--speed-reps",
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Split(Tensor X, Tensor Y)
    {
        public int Count => X.Size(0);
    }

    private sealed class Setup
    {
        public required Module<Tensor, Tensor> Model { get; init; }
        public required string ModelName { get; init; }
        public required string Dataset { get; init; }
        public required Split Train { get; init; }
        public required Split Test { get; init; }
        public required int BatchSize { get; init; }
        public required double Lr { get; init; }
        public required ulong Seed { get; init; }
        public required int SpeedReps { get; init; }
        public required int Epochs { get; init; }
    }

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length == 0 || Program.WantsHelp(argv))
        {
            Help.Command("compress");
            return argv.Length == 0 ? Program.UsageError : 0;
        }
        string sub = argv[0];
        if (sub is not ("prune" or "quantize" or "distill"))
            throw new UsageException($"unknown compress command '{sub}'; valid: prune, quantize, distill.", "compress");
        var args = new Args("compress", argv.Skip(1));
        string? checkpoint = args.Value("--checkpoint");
        string? modelArg = args.Value("--model");
        string? datasetArg = args.Value("--dataset");
        string? dataDirArg = args.Value("--data-dir");
        int epochs = args.Int("--epochs", 1, 1000) ?? 1;
        int? trainLimit = args.Int("--train-limit", 1, int.MaxValue);
        int? testLimit = args.Int("--test-limit", 1, int.MaxValue);
        int batchSize = args.Int("--batch-size", 1, 1 << 16) ?? 64;
        double lr = args.Double("--lr", 1e-8, 10) ?? 1e-3;
        ulong seed = (ulong)(args.Int("--seed", 0, int.MaxValue) ?? 0);
        int? threads = args.Int("--threads", 1, 1024);
        string? outPath = args.Value("--out");
        int speedReps = args.Int("--speed-reps", 1, 100) ?? 3;
        // Sub-command options, read here so that Args.End can reject the rest.
        string method = (args.Value("--method") ?? (sub == "prune" ? "global" : "")).ToLowerInvariant();
        double sparsity = args.Double("--sparsity", 0, 0.999) ?? 0.5;
        int rounds = args.Int("--rounds", 1, 100) ?? 3;
        int finetuneBatches = args.Int("--finetune-batches", 0, 1_000_000) ?? 200;
        string mode = (args.Value("--mode") ?? "static").ToLowerInvariant();
        string observer = (args.Value("--observer") ?? "minmax").ToLowerInvariant();
        int calibration = args.Int("--calibration", 1, 1_000_000) ?? 512;
        int qatBatches = args.Int("--qat-batches", 1, 1_000_000) ?? 300;
        // Distill takes comma-separated lists for a sweep (every combination, each over --seeds seeds).
        var hiddens = List(args, "--student-hidden", 1, 100_000, "32").Select(h => (int)h).ToArray();
        var temperatures = List(args, "--temperature", 1e-3, 1000, "4");
        var alphas = List(args, "--alpha", 0, 1, "0.5");
        int seeds = args.Int("--seeds", 1, 1000) ?? 1;
        bool profile = args.Flag("--profile");
        args.End([.. ValueOptions, "--profile"]);
        if (profile && sub != "quantize")
            throw new UsageException("--profile is an option of 'compress quantize'.", "compress");
        if (sub == "distill" && outPath is not null && hiddens.Length * temperatures.Length * alphas.Length * seeds > 1)
            throw new UsageException("--out saves one distilled student: give a single --student-hidden, --temperature and --alpha, and --seeds 1.", "compress");
        if (sub == "prune" && method is not ("global" or "layer" or "structured"))
            throw new UsageException($"unknown --method '{method}'; valid: global, layer, structured.", "compress");
        if (sub == "quantize" && mode is not ("static" or "dynamic" or "qat"))
            throw new UsageException($"unknown --mode '{mode}'; valid: static, dynamic, qat.", "compress");
        if (sub == "quantize" && observer is not ("minmax" or "percentile"))
            throw new UsageException($"unknown --observer '{observer}'; valid: minmax, percentile.", "compress");
        if (checkpoint is not null && modelArg is not null)
            throw new UsageException("give either --checkpoint or --model, not both.", "compress");
        if (threads is int t)
            Threads.Count = t;

        // Prune and quantize rewrite the model layer by layer: refuse one they cannot handle (naming the layer) before any training.
        // (Dynamic quantization also takes the LSTM classifier, whose int8 form is its own module.)
        Action<Module>? validate = sub == "distill" ? null : m =>
        {
            if (sub == "quantize" && mode == "dynamic" && m is LstmClassifier)
                return;
            LayerSequence.Of(m);
        };
        var setup = Prepare(checkpoint, modelArg, datasetArg, dataDirArg, epochs, trainLimit, testLimit, batchSize, lr, seed, speedReps, validate, cancel);
        return sub switch
        {
            "prune" => Prune(setup, method, sparsity, rounds, finetuneBatches, outPath, cancel),
            "quantize" => QuantizeModel(setup, mode, observer, calibration, qatBatches, outPath, profile, cancel),
            _ => Distill(setup, hiddens, temperatures, alphas, seeds, outPath, cancel),
        };
    }

    // A comma-separated list of numbers in [min, max] (a single number is a list of one); duplicates are refused.
    private static double[] List(Args args, string name, double min, double max, string fallback)
    {
        string text = args.Value(name) ?? fallback;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        bool integer = name == "--student-hidden";
        for (int i = 0; i < parts.Length; i++)
        {
            bool ok;
            if (integer)
            {
                ok = int.TryParse(parts[i], NumberStyles.Integer, Inv, out int n);
                values[i] = n;
            }
            else
                ok = double.TryParse(parts[i], NumberStyles.Float, Inv, out values[i]);
            if (!ok || !(values[i] >= min && values[i] <= max))
                throw new UsageException($"option '{name}' expects {(integer ? "integers" : "numbers")} from {min.ToString(Inv)} to {max.ToString(Inv)} " +
                    $"(a comma-separated list for a sweep), got '{parts[i]}' in '{text}'.", "compress");
        }
        if (values.Distinct().Count() != values.Length)
            throw new UsageException($"option '{name}' lists a value twice: '{text}'.", "compress");
        return values;
    }

    private static Setup Prepare(string? checkpoint, string? modelArg, string? datasetArg, string? dataDirArg, int epochs, int? trainLimit, int? testLimit,
        int batchSize, double lr, ulong seed, int speedReps, Action<Module>? validate, CancellationToken cancel)
    {
        Module<Tensor, Tensor>? model = null;
        string modelName;
        string? fromCheckpointDataset = null;
        if (checkpoint is not null)
        {
            var (net, info) = EvalCommand.LoadModel("compress", checkpoint);
            validate?.Invoke(net);
            model = net;
            modelName = info.Extra.GetValueOrDefault("model") ?? net.GetType().Name.ToLowerInvariant();
            fromCheckpointDataset = info.Extra.GetValueOrDefault("dataset");
        }
        else
        {
            modelName = TrainingSetup.CheckModel("compress", modelArg ?? "lenet5");
            validate?.Invoke(ModelZoo.Create(modelName, 1, 28, 28, 10));
        }
        string dataset = TrainingSetup.CheckDataset("compress", datasetArg ?? fromCheckpointDataset ?? "mnist");
        string dir = dataDirArg ?? TrainingSetup.DefaultDataDir(dataset);
        var train = Load(dataset, dir, true, trainLimit);
        var test = Load(dataset, dir, false, testLimit);
        if (model is null)
        {
            model = ModelZoo.Create(modelName, 1, 28, 28, 10, new Generator(seed));
            Console.WriteLine($"training a float32 {modelName} on {train.Count} {dataset} images for {epochs} epoch(s) (no --checkpoint given)");
            Fit(model, train, epochs, batchSize, lr, seed, null, null, cancel);
        }
        return new Setup
        {
            Model = model, ModelName = modelName, Dataset = dataset, Train = train, Test = test, BatchSize = batchSize, Lr = lr, Seed = seed,
            SpeedReps = speedReps, Epochs = epochs,
        };
    }

    private static Split Load(string dataset, string dir, bool train, int? limit)
    {
        var data = dataset == "mnist" ? (MnistLike)new Mnist(dir, train) : new FashionMnist(dir, train);
        int n = Math.Min(limit ?? data.Count, data.Count);
        var x = TrainingSetup.Standardize(dataset, data.Images.Narrow(0, 0, n)).Contiguous();
        return new Split(x, data.Labels.Narrow(0, 0, n).Contiguous());
    }

    // Plain minibatch training with Adam; lossFn (batch row indices, output, labels) defaults to cross-entropy; the mask,
    // if any, is applied after each optimizer step. The shuffling depends only on the seed, so two calls with the same
    // seed see the same batches in the same order.
    private static void Fit(Module<Tensor, Tensor> model, Split data, int epochs, int batchSize, double lr, ulong seed,
        Func<Tensor, Tensor, Tensor, Tensor>? lossFn, PruningMask? mask, CancellationToken cancel, int? maxBatches = null, string label = "epoch",
        bool verbose = true)
    {
        var opt = new Adam(model.Parameters(), lr);
        var gen = new Generator(seed + 1);
        model.Train();
        int batches = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var perm = Tensor.Randperm(data.Count, gen);
            double sum = 0;
            int count = 0;
            for (int b = 0; b + batchSize <= data.Count || (b < data.Count && count == 0); b += batchSize)
            {
                cancel.ThrowIfCancellationRequested();
                if (maxBatches is int mb && batches >= mb) break;
                var idx = perm.Narrow(0, b, Math.Min(batchSize, data.Count - b));
                var x = data.X.IndexSelect(0, idx);
                var y = data.Y.IndexSelect(0, idx);
                opt.ZeroGrad();
                var output = model.Call(x);
                var loss = lossFn is null ? Losses.CrossEntropy(output, y) : lossFn(idx, output, y);
                loss.Backward();
                mask?.MaskGradients();
                opt.Step();
                mask?.Apply();
                sum += loss.Item();
                count++;
                batches++;
            }
            if (verbose)
                Console.WriteLine($"  {label} {epoch + 1}: mean loss {(sum / Math.Max(1, count)).ToString("F4", Inv)} over {count} batches");
            if (maxBatches is int m2 && batches >= m2) break;
        }
        model.Eval();
    }

    private static double Accuracy(Module<Tensor, Tensor> model, Split data)
    {
        model.Eval();
        long correct = 0;
        using (Tensor.NoGrad())
            for (int b = 0; b < data.Count; b += 1000)
            {
                int n = Math.Min(1000, data.Count - b);
                var pred = model.Call(data.X.Narrow(0, b, n)).ArgMax(1).ToArray<long>();
                var y = data.Y.Narrow(0, b, n).ToArray<long>();
                for (int i = 0; i < n; i++)
                    if (pred[i] == y[i]) correct++;
            }
        return (double)correct / data.Count;
    }

    // Median over reps of the time to classify the test images in batches of 1000, per 1000 images; the models are
    // timed in turn within each rep so a change in machine load hits all of them alike.
    private static double[] MsPer1000(IReadOnlyList<Module<Tensor, Tensor>> models, Split data, int reps)
    {
        var samples = models.Select(_ => new List<double>()).ToArray();
        int n = Math.Min(data.Count, 5000);
        using (Tensor.NoGrad())
        {
            foreach (var m in models)
            {
                m.Eval();
                m.Call(data.X.Narrow(0, 0, Math.Min(n, 1000))); // warm-up: JIT, buffer pools, weight packing
            }
            for (int r = 0; r < reps; r++)
                for (int i = 0; i < models.Count; i++)
                {
                    var sw = Stopwatch.StartNew();
                    for (int b = 0; b < n; b += 1000)
                        models[i].Call(data.X.Narrow(0, b, Math.Min(1000, n - b)));
                    samples[i].Add(sw.Elapsed.TotalMilliseconds * 1000 / n);
                }
        }
        return samples.Select(s => s.Order().ElementAt(s.Count / 2)).ToArray();
    }

    // Per-layer time: each layer of the chain is timed on its own over the same batches of 1000 as MsPer1000; the
    // median over reps, per 1000 images.
    private static void PrintProfile(string title, IReadOnlyList<(string Name, Module<Tensor, Tensor> Layer)> chain, Split data, int reps)
    {
        int n = Math.Min(data.Count, 5000);
        var samples = chain.Select(_ => new List<double>()).ToArray();
        var names = chain.Select(c => c.Name).ToArray();
        using (Tensor.NoGrad())
        {
            for (int r = 0; r <= reps; r++) // pass 0 warms up
            {
                var per = new double[chain.Count];
                for (int b = 0; b < n; b += 1000)
                {
                    var h = data.X.Narrow(0, b, Math.Min(1000, n - b));
                    for (int i = 0; i < chain.Count; i++)
                    {
                        if (names[i].Length == 0) names[i] = Describe(chain[i].Layer, h);
                        var sw = Stopwatch.StartNew();
                        h = chain[i].Layer.Call(h);
                        per[i] += sw.Elapsed.TotalMilliseconds * 1000 / n;
                    }
                }
                if (r > 0)
                    for (int i = 0; i < chain.Count; i++) samples[i].Add(per[i]);
            }
        }
        var med = samples.Select(x => x.Order().ElementAt(x.Count / 2)).ToArray();
        Console.WriteLine();
        Console.WriteLine($"per-layer time, {title} (ms per 1000 images, median of {reps}; layers timed one at a time):");
        for (int i = 0; i < chain.Count; i++)
            Console.WriteLine($"  {names[i],-44} {med[i].ToString("F2", Inv),8}");
        Console.WriteLine($"  {"sum",-44} {med.Sum().ToString("F2", Inv),8}");
    }

    // A short name for a layer of the int8 chain given its input: its type, the fused steps and the convolution's path.
    private static string Describe(Module<Tensor, Tensor> layer, Tensor input) => layer switch
    {
        QuantizedConv2d c when input.Rank == 4 =>
            $"int8 conv {c.InChannels}->{c.OutChannels}{(c.FuseRelu ? " +relu" : "")}{(c.Pool > 0 ? $" +pool{c.Pool}" : "")} " +
            $"({(c.UsesDirect(OutSize(input.Size(2), c.KernelSize.H, c.Stride.H, c.Padding.H, c.Dilation.H), OutSize(input.Size(3), c.KernelSize.W, c.Stride.W, c.Padding.W, c.Dilation.W)) ? "direct" : "im2col")})",
        QuantizedLinear l => $"int8 linear {l.InFeatures}->{l.OutFeatures}{(l.FuseRelu ? " +relu" : "")}",
        _ => layer.TypeName,
    };

    private static int OutSize(int size, int kernel, int stride, int padding, int dilation) => (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;

    private static long FloatBytes(Module model) =>
        SafeTensors.Serialize(model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Contiguous())).Length;

    private sealed record Row(string Name, long Bytes, double Accuracy, double Ms, string Extra = "");

    private static void PrintTable(IReadOnlyList<Row> rows, string extraHeader = "")
    {
        Console.WriteLine();
        Console.WriteLine($"{"model",-28} {"size (bytes)",14} {"size ratio",11} {"accuracy",9} {"ms/1000 img",12} {"speed ratio",12}{(extraHeader.Length > 0 ? "  " + extraHeader : "")}");
        var b = rows[0];
        foreach (var r in rows)
            Console.WriteLine($"{r.Name,-28} {r.Bytes.ToString("N0", Inv),14} {((double)b.Bytes / r.Bytes).ToString("F2", Inv) + "x",11} " +
                $"{(100 * r.Accuracy).ToString("F2", Inv) + "%",9} {r.Ms.ToString("F2", Inv),12} {(b.Ms / r.Ms).ToString("F2", Inv) + "x",12}{(r.Extra.Length > 0 ? "  " + r.Extra : "")}");
        Console.WriteLine($"(size ratio: {b.Name} bytes / row bytes; speed ratio: {b.Name} time / row time, above 1 is faster; " +
            $"accuracy on {rows.Count} model(s) over the same test images; threads {Threads.Count})");
    }

    private static void Save(string? outPath, Sequential model, Setup s, string kind)
    {
        if (outPath is null) return;
        CompressedSafetensors.Save(outPath, model, new Dictionary<string, string> { ["model"] = s.ModelName, ["dataset"] = s.Dataset, ["compression"] = kind });
        Console.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length.ToString("N0", Inv)} bytes)");
    }

    private static int Prune(Setup s, string method, double sparsity, int rounds, int finetuneBatches, string? outPath, CancellationToken cancel)
    {
        var baseline = s.Model;
        var layers = LayerSequence.Of(baseline); // fails early, naming the layer, for models the pruners do not understand
        double acc0 = Accuracy(baseline, s.Test);
        long bytes0 = FloatBytes(baseline);
        Console.WriteLine($"float32 {s.ModelName}: test accuracy {(100 * acc0).ToString("F2", Inv)}% on {s.Test.Count} images");
        if (method == "structured")
        {
            var small = StructuredPruning.Prune(baseline, sparsity);
            double accPruned = Accuracy(small, s.Test);
            Console.WriteLine($"structured pruning of {(100 * sparsity).ToString("F0", Inv)}% of the neurons/channels: accuracy {(100 * accPruned).ToString("F2", Inv)}% before fine-tuning");
            if (finetuneBatches > 0)
                Fit(small, s.Train, 1000, s.BatchSize, s.Lr * 0.5, s.Seed + 7, null, null, cancel, finetuneBatches * rounds, "fine-tune");
            var ms = MsPer1000([baseline, small], s.Test, s.SpeedReps);
            PrintTable([
                new Row($"float32 {s.ModelName}", bytes0, acc0, ms[0], $"{StructuredPruning.ParameterCount(baseline).ToString("N0", Inv)} params"),
                new Row("structured-pruned", FloatBytes(small), Accuracy(small, s.Test), ms[1], $"{StructuredPruning.ParameterCount(small).ToString("N0", Inv)} params"),
            ], "parameters");
            Save(outPath, small, s, "structured");
            return 0;
        }
        // Unstructured: iterative prune and fine-tune on the cubic schedule, reporting sparsity against accuracy.
        var schedule = new PruningSchedule(0, sparsity, rounds);
        bool global = method == "global";
        Console.WriteLine($"{(global ? "global" : "per-layer")} magnitude pruning to {(100 * sparsity).ToString("F1", Inv)}% in {rounds} round(s), {finetuneBatches} fine-tuning batches each");
        Console.WriteLine($"{"round",5} {"sparsity",9} {"acc pruned",11} {"acc tuned",10}");
        var mask = schedule.Run(baseline, (round, m) =>
        {
            double before = Accuracy(baseline, s.Test);
            if (finetuneBatches > 0)
                Fit(baseline, s.Train, 1000, s.BatchSize, s.Lr * 0.5, s.Seed + (ulong)round, null, m, cancel, finetuneBatches, "fine-tune");
            Console.WriteLine($"{round,5} {(100 * MagnitudePruning.Sparsity(baseline)).ToString("F1", Inv) + "%",9} {(100 * before).ToString("F2", Inv) + "%",11} {(100 * Accuracy(baseline, s.Test)).ToString("F2", Inv) + "%",10}");
        }, global);
        double acc1 = Accuracy(baseline, s.Test);
        var pruned = LayerSequence.ToSequential(layers);
        var ms2 = MsPer1000([baseline], s.Test, s.SpeedReps);
        long nonzero = MagnitudePruning.PrunableWeights(baseline).Sum(w => w.Weight.ToDoubleArray().Count(v => v != 0));
        // A sparse model stored as int32 index + float32 value per non-zero weight, with the rest dense.
        long weights = MagnitudePruning.PrunableWeights(baseline).Sum(w => w.Weight.Numel);
        long sparseBytes = bytes0 - 4 * weights + 8 * nonzero;
        PrintTable([
            new Row($"float32 {s.ModelName} (dense)", bytes0, acc0, ms2[0], "0.0%"),
            new Row($"pruned, dense storage", bytes0, acc1, ms2[0], $"{(100 * mask.Sparsity).ToString("F1", Inv)}%"),
            new Row($"pruned, sparse storage", sparseBytes, acc1, ms2[0], $"{(100 * mask.Sparsity).ToString("F1", Inv)}%"),
        ], "sparsity");
        Console.WriteLine("(the dense kernels do not skip zeros, so the pruned model runs at the dense speed; the sparse size counts an int32 index and a float32 value per kept weight)");
        Save(outPath, pruned, s, global ? "pruned-global" : "pruned-layer");
        return 0;
    }

    private static int QuantizeModel(Setup s, string mode, string observerName, int calibration, int qatBatches, string? outPath, bool profile, CancellationToken cancel)
    {
        var model = s.Model;
        double acc0 = Accuracy(model, s.Test);
        long bytes0 = FloatBytes(model);
        Module<Tensor, Tensor> q;
        switch (mode)
        {
            case "dynamic":
                q = model is LstmClassifier lstm ? new QuantizedLstmClassifier(lstm) : Quantization.QuantizeDynamic(model);
                break;
            case "qat":
            {
                var prepared = Qat.Prepare(model);
                Console.WriteLine($"quantization-aware training: {qatBatches} batches with fake-quantized weights and activations");
                Fit(prepared, s.Train, 1000, s.BatchSize, s.Lr * 0.1, s.Seed + 11, null, null, cancel, qatBatches, "qat");
                q = Qat.Convert(prepared);
                break;
            }
            default:
            {
                int n = Math.Min(calibration, s.Train.Count);
                var batches = Enumerable.Range(0, (n + 127) / 128).Select(b => s.Train.X.Narrow(0, b * 128, Math.Min(128, n - b * 128))).ToList();
                q = Quantization.QuantizeStatic(model, batches, () => Observer.Create(observerName));
                Console.WriteLine($"calibrated on {n} training images with the {observerName} observer");
                break;
            }
        }
        double acc1 = Accuracy(q, s.Test);
        var ms = MsPer1000([model, q], s.Test, s.SpeedReps);
        // The int8 LSTM classifier is one module, saved as a one-layer chain.
        var saved = q as Sequential ?? new Sequential(q);
        long bytes1 = CompressedSafetensors.Serialize(saved).Length;
        PrintTable([
            new Row($"float32 {s.ModelName}", bytes0, acc0, ms[0]),
            new Row($"int8 {mode}", bytes1, acc1, ms[1]),
        ]);
        Console.WriteLine($"int8 kernel: {Int8Gemm.ActiveKernel} ({Int8Gemm.Describe()})");
        Console.WriteLine($"accuracy change: {(100 * (acc1 - acc0)).ToString("+0.00;-0.00", Inv)} points");
        if (profile)
        {
            // The float model as the chain of layers its forward runs (the LSTM classifier is one module: no chain).
            var floatChain = model is LstmClassifier ? [("model", model)] : LayerSequence.Of(model);
            var int8Chain = Enumerable.Range(0, saved.Count).Select(i => ("", saved[i])).ToList();
            PrintProfile($"float32 {s.ModelName}", floatChain, s.Test, s.SpeedReps);
            PrintProfile($"int8 {mode}", int8Chain, s.Test, s.SpeedReps);
        }
        Save(outPath, saved, s, "int8-" + mode);
        return 0;
    }

    private static int Distill(Setup s, int[] hiddens, double[] temperatures, double[] alphas, int seeds, string? outPath, CancellationToken cancel)
    {
        var teacher = s.Model;
        double accT = Accuracy(teacher, s.Test);
        Console.WriteLine($"teacher {s.ModelName}: test accuracy {Pct(accT)} on {s.Test.Count} images");
        // The teacher's logits on the training images, computed once in evaluation mode without gradients. The teacher is
        // fixed and deterministic, so every epoch and every student sees the logits it would compute batch by batch,
        // and a sweep does not pay for a teacher forward pass per step.
        var teacherLogits = Logits(teacher, s.Train.X);
        Func<Tensor, Tensor, Tensor, Tensor> Soft(double temperature, double alpha) =>
            (idx, output, y) => Distillation.Loss(output, teacherLogits.IndexSelect(0, idx), y, temperature, alpha);
        // Both arms of a seed start from the same initialisation and see the same batches in the same order with the
        // same optimizer and learning rate: only the loss differs.
        Mlp NewStudent(int hidden, ulong seed) => new(784, [hidden], 10, new Generator(seed + 100));
        Mlp Train(int hidden, ulong seed, Func<Tensor, Tensor, Tensor, Tensor>? loss, bool verbose)
        {
            var student = NewStudent(hidden, seed);
            Fit(student, s.Train, s.Epochs, s.BatchSize, s.Lr, seed + 5, loss, null, cancel, verbose: verbose);
            return student;
        }

        if (hiddens.Length * temperatures.Length * alphas.Length * seeds == 1)
        {
            int hidden = hiddens[0];
            double temperature = temperatures[0], alpha = alphas[0];
            Console.WriteLine($"student MLP 784-{hidden}-10 trained alone (cross-entropy), {s.Epochs} epoch(s) on {s.Train.Count} images:");
            var alone = Train(hidden, s.Seed, null, true);
            Console.WriteLine($"the same student distilled from the teacher (T={temperature.ToString(Inv)}, alpha={alpha.ToString(Inv)}), {s.Epochs} epoch(s):");
            var distilled = Train(hidden, s.Seed, Soft(temperature, alpha), true);
            var ms = MsPer1000([teacher, alone, distilled], s.Test, s.SpeedReps);
            double accA = Accuracy(alone, s.Test), accD = Accuracy(distilled, s.Test);
            PrintTable([
                new Row($"teacher {s.ModelName}", FloatBytes(teacher), accT, ms[0]),
                new Row("student alone", FloatBytes(alone), accA, ms[1]),
                new Row("student distilled", FloatBytes(distilled), accD, ms[2]),
            ]);
            Console.WriteLine($"distillation: {(100 * (accD - accA)).ToString("+0.00;-0.00", Inv)} points over the student trained alone " +
                "(one seed: see --seeds for the spread)");
            Save(outPath, LayerSequence.ToSequential(LayerSequence.Of(distilled)), s, "distilled");
            return 0;
        }

        // A sweep: every (hidden, T, alpha) over seeds seed .. seed+seeds-1, the alone arm trained once per (hidden, seed).
        Console.WriteLine($"sweep: students 784-H-10, {s.Epochs} epoch(s) on {s.Train.Count} images, batch {s.BatchSize}, Adam {s.Lr.ToString(Inv)}, " +
            $"seeds {s.Seed}..{s.Seed + (ulong)seeds - 1}; both arms of a seed share the initialisation and the batch order");
        var configs = (from t in temperatures from a in alphas select (T: t, Alpha: a)).ToArray();
        var results = new List<(int Hidden, double[] Alone, double[][] Distilled)>();
        foreach (int hidden in hiddens)
        {
            var alone = new double[seeds];
            var distilled = configs.Select(_ => new double[seeds]).ToArray();
            for (int k = 0; k < seeds; k++)
            {
                ulong seed = s.Seed + (ulong)k;
                alone[k] = Accuracy(Train(hidden, seed, null, false), s.Test);
                var line = new System.Text.StringBuilder($"  H={hidden} seed {seed}: alone {Pct(alone[k])}");
                for (int c = 0; c < configs.Length; c++)
                {
                    distilled[c][k] = Accuracy(Train(hidden, seed, Soft(configs[c].T, configs[c].Alpha), false), s.Test);
                    line.Append($"; T={configs[c].T.ToString(Inv)} a={configs[c].Alpha.ToString(Inv)} {Pct(distilled[c][k])}");
                }
                Console.WriteLine(line);
            }
            results.Add((hidden, alone, distilled));
        }

        Console.WriteLine();
        Console.WriteLine($"{"student",-10} {"T",5} {"alpha",6} {"alone %",15} {"distilled %",15} {"gain (points)",15} {"better",7}");
        foreach (var (hidden, alone, distilled) in results)
            for (int c = 0; c < configs.Length; c++)
            {
                var gain = distilled[c].Zip(alone, (d, a) => d - a).ToArray();
                Console.WriteLine($"{"784-" + hidden + "-10",-10} {configs[c].T.ToString(Inv),5} {configs[c].Alpha.ToString(Inv),6} {MeanSd(alone),15} " +
                    $"{MeanSd(distilled[c]),15} {MeanSd(gain, signed: true),15} {$"{gain.Count(g => g > 0)}/{seeds}",7}");
            }
        Console.WriteLine($"(test accuracy on {s.Test.Count} images, mean ± sample standard deviation over {seeds} seed(s); gain = distilled − alone " +
            $"for the same seed; better = seeds where the distilled student won; teacher {Pct(accT)})");
        return 0;
    }

    private static string Pct(double accuracy) => (100 * accuracy).ToString("F2", Inv) + "%";

    // Mean ± sample standard deviation, in percentage points.
    private static string MeanSd(double[] values, bool signed = false)
    {
        double mean = values.Average();
        double shown = Math.Round(100 * mean, 2) + 0.0; // + 0.0 turns −0 into 0, so a tiny negative mean prints as +0.00
        string m = shown.ToString(signed ? "+0.00;-0.00;+0.00" : "F2", Inv);
        if (values.Length < 2)
            return m;
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return $"{m} ± {(100 * sd).ToString("F2", Inv)}";
    }

    // The model's outputs for every row of x, in evaluation mode without gradients, in batches of 1000.
    private static Tensor Logits(Module<Tensor, Tensor> model, Tensor x)
    {
        model.Eval();
        var parts = new List<Tensor>();
        using (Tensor.NoGrad())
            for (int b = 0; b < x.Size(0); b += 1000)
                parts.Add(model.Call(x.Narrow(0, b, Math.Min(1000, x.Size(0) - b))));
        return Tensor.Cat(parts, 0).Contiguous();
    }
}
