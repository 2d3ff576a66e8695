using System.Globalization;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary><c>polymath eval</c>: a checkpoint's accuracy, precision/recall/F1 and confusion matrix on a data set split.</summary>
internal static class EvalCommand
{
    internal static readonly string[] ValueOptions = ["--checkpoint", "--dataset", "--data-dir", "--split", "--batch-size", "--threads", "--config"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("eval");
            return 0;
        }
        argv = TrainCommand.ApplyConfig("eval", argv, ValueOptions, []);
        var args = new Args("eval", argv);
        string checkpoint = args.Value("--checkpoint") ?? throw new UsageException("--checkpoint is required.", "eval");
        string? datasetArg = args.Value("--dataset");
        string? dataDirArg = args.Value("--data-dir");
        string split = (args.Value("--split") ?? "test").ToLowerInvariant();
        if (split is not ("test" or "train"))
            throw new UsageException($"unknown split '{split}'; valid splits: test, train.", "eval");
        int batchSize = args.Int("--batch-size", 1, 1 << 20) ?? 1000;
        int? threads = args.Int("--threads", 1, 1024);
        args.End(ValueOptions);
        if (threads is int t)
            Threads.Count = t;
        var (net, info) = LoadModel("eval", checkpoint);
        string dataset = TrainingSetup.CheckDataset("eval", datasetArg ?? info.Extra.GetValueOrDefault("dataset") ?? "mnist");
        string dataDir = dataDirArg ?? TrainingSetup.DefaultDataDir(dataset);
        var data = TrainingSetup.LoadDataset(dataset, dataDir, split == "train");
        var loader = DataLoader.Create(data, batchSize, shuffle: false, seed: 0);
        var trainer = new Trainer(new TrainerOptions { CancellationToken = cancel });
        var result = trainer.Evaluate(net, new CrossEntropyLoss().Call, loader);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"polymath eval: {info.Extra.GetValueOrDefault("model")} from {checkpoint} (epoch {info.Epoch}, step {info.Step}) on {dataset} {split} ({result.Samples} images)");
        foreach (var (k, v) in result.Metrics)
            Console.WriteLine($"  {k,-16} {v.ToString("F4", inv)}");
        if (result.Confusion is { } cm)
        {
            var names = TrainingSetup.ClassNames(dataset);
            Console.WriteLine("confusion matrix (rows: true class, columns: predicted):");
            int c = cm.GetLength(0);
            Console.WriteLine("      " + string.Concat(Enumerable.Range(0, c).Select(j => j.ToString(inv).PadLeft(6))));
            for (int i = 0; i < c; i++)
                Console.WriteLine(i.ToString(inv).PadLeft(4) + "  " + string.Concat(Enumerable.Range(0, c).Select(j => cm[i, j].ToString(inv).PadLeft(6))) + "  " + (i < names.Count ? names[i] : ""));
        }
        return 0;
    }

    /// <summary>Builds the model a checkpoint names and loads its weights.</summary>
    internal static (Module<Tensor, Tensor> Model, CheckpointInfo Info) LoadModel(string command, string checkpoint)
    {
        if (!File.Exists(checkpoint))
            throw new UsageException($"--checkpoint: '{checkpoint}' does not exist.", command);
        var info = Checkpoint.ReadInfo(checkpoint);
        string model = info.Extra.GetValueOrDefault("model")
            ?? throw new InvalidDataException($"{checkpoint}: the checkpoint does not say which model it holds (no 'model' in its metadata).");
        var net = ModelZoo.Create(TrainingSetup.CheckModel(command, model), 1, 28, 28, 10);
        Checkpoint.Load(checkpoint, net, restoreRandom: false);
        net.Eval();
        return (net, info);
    }
}
