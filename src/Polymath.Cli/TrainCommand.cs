using System.Globalization;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Amp;
using Polymath.Scale.Distributed;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary><c>polymath train</c>: trains a model-zoo model on MNIST or Fashion-MNIST with checkpoints, a JSONL log and an HTML report.</summary>
internal static class TrainCommand
{
    internal static readonly string[] ValueOptions =
    [
        "--model", "--dataset", "--data-dir", "--epochs", "--batch-size", "--lr", "--optimizer", "--weight-decay", "--seed",
        "--threads", "--out", "--resume", "--config", "--accumulate", "--scheduler", "--early-stopping", "--limit", "--workers",
        "--progress", "--log-every", "--nproc", "--hostfile", "--dist-timeout", "--precision", "--loss-scale", "--loss-scale-growth-interval",
    ];

    internal static readonly string[] FlagOptions = [];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("train");
            return 0;
        }
        argv = ApplyConfig("train", argv, ValueOptions, FlagOptions);
        var args = new Args("train", argv);
        string? resume = args.Value("--resume");
        CheckpointInfo? resumeInfo = null;
        if (resume is not null)
        {
            if (!File.Exists(resume))
                throw new UsageException($"--resume: checkpoint '{resume}' does not exist.", "train");
            resumeInfo = Checkpoint.ReadInfo(resume);
        }
        string? Saved(string key) => resumeInfo is not null && resumeInfo.Extra.TryGetValue(key, out var v) ? v : null;

        string model = TrainingSetup.CheckModel("train", args.Value("--model") ?? Saved("model") ?? "lenet5");
        string dataset = TrainingSetup.CheckDataset("train", args.Value("--dataset") ?? Saved("dataset") ?? "mnist");
        string dataDir = args.Value("--data-dir") ?? TrainingSetup.DefaultDataDir(dataset);
        int epochs = args.Int("--epochs", 1, 100_000) ?? 5;
        int batchSize = args.Int("--batch-size", 1, 1 << 20) ?? 64;
        double lr = args.Double("--lr", 0, 100) ?? 1e-3;
        string optimizer = TrainingSetup.CheckOptimizer("train", args.Value("--optimizer") ?? Saved("optimizer") ?? "adam");
        double? weightDecay = args.Double("--weight-decay", 0, 10);
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 42;
        int? threads = args.Int("--threads", 1, 1024);
        string? outDir = args.Value("--out");
        int accumulate = args.Int("--accumulate", 1, 1 << 20) ?? 1;
        string scheduler = (args.Value("--scheduler") ?? "cosine").ToLowerInvariant();
        if (scheduler is not ("none" or "cosine" or "step" or "plateau"))
            throw new UsageException($"unknown scheduler '{scheduler}'; valid schedulers: none, cosine, step, plateau.", "train");
        int? patience = args.Int("--early-stopping", 0, 100_000);
        int? limit = args.Int("--limit", 1, int.MaxValue);
        int workers = args.Int("--workers", 0, 64) ?? 0;
        int logEvery = args.Int("--log-every", 1, 1 << 30) ?? 100;
        string progress = (args.Value("--progress") ?? "auto").ToLowerInvariant();
        DType? precision = TrainingSetup.CheckPrecision("train", args.Value("--precision") ?? Saved("precision") ?? "fp32");
        var progressMode = progress switch
        {
            "auto" => ProgressMode.Auto,
            "bars" => ProgressMode.Bars,
            "plain" => ProgressMode.Plain,
            "none" => ProgressMode.None,
            _ => throw new UsageException($"unknown progress mode '{progress}'; valid: auto, bars, plain, none.", "train"),
        };
        double? lossScale = args.Double("--loss-scale", 1e-30, 1e30);
        int? growthInterval = args.Int("--loss-scale-growth-interval", 1, int.MaxValue);
        if ((lossScale is not null || growthInterval is not null) && precision != DType.Float16)
            throw new UsageException("--loss-scale and --loss-scale-growth-interval set the float16 GradScaler; they need --precision fp16.", "train");
        int? nproc = args.Int("--nproc", 1, 4096);
        string? hostfile = args.Value("--hostfile");
        double? distTimeout = args.Double("--dist-timeout", 1, 7 * 86400);
        args.End(ValueOptions);
        if (hostfile is not null && nproc is null)
            throw new UsageException("--hostfile needs --nproc N (the number of ranks to place on those hosts).", "train");
        if (hostfile is not null && nproc is int wanted && !MpiCommunicator.LaunchedByMpirun)
        {
            // Before mpirun starts: a missing file, a malformed line or too few slots for --nproc.
            try
            {
                HostFile.Check(hostfile, wanted);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException(e is FileNotFoundException ? $"--hostfile: '{hostfile}' does not exist." : "--hostfile: " + e.Message, "train");
            }
        }
        // --nproc N outside an MPI job: start the job (this same command under mpirun) and wait for it.
        if (nproc is int np && np > 1 && !MpiCommunicator.LaunchedByMpirun)
            return TrainingSetup.LaunchUnderMpirun(np, hostfile, argv, cancel, outDir ?? Path.Combine("runs", $"{model}-{dataset}"));
        using var dist = TrainingSetup.JoinDistributed(nproc, distTimeout);
        if (threads is int t)
            Threads.Count = t;
        else if (dist is not null)
            Threads.Count = TrainingSetup.ThreadsPerRank();
        outDir ??= Path.Combine("runs", $"{model}-{dataset}");
        var comm = dist?.Communicator;
        bool rank0 = comm is null || comm.Rank == 0;
        if (comm is not null && resumeInfo is not null && Saved("world_size") is { } savedWorld && savedWorld != comm.Size.ToString(CultureInfo.InvariantCulture))
            throw new UsageException($"--resume: '{resume}' was written by a run with {savedWorld} ranks, this one has {comm.Size}; the data order and batch position would not match (resume with --nproc {savedWorld}).", "train");

        var inv = CultureInfo.InvariantCulture;
        Polymath.Random.Seed((ulong)seed);
        var trainSet = TrainingSetup.LoadDataset(dataset, dataDir, train: true);
        var testSet = TrainingSetup.LoadDataset(dataset, dataDir, train: false);
        Dataset<(Tensor Image, Tensor Label)> trainData = limit is int l && l < trainSet.Count ? new Subset<(Tensor, Tensor)>(trainSet, Enumerable.Range(0, l)) : trainSet;
        ulong loaderSeed = resumeInfo?.LoaderSeed ?? (ulong)seed;
        int trainCount = trainData.Count;
        DistributedSampler? sampler = null;
        if (comm is not null)
        {
            // Each rank trains on its own shard of every epoch (batch --batch-size per rank).
            sampler = DistributedSampler.For(comm, trainData.Count, shuffle: true, seed: loaderSeed);
            trainData = sampler.Shard(trainData);
        }
        var trainLoader = DataLoader.Create(trainData, batchSize, shuffle: sampler is null, seed: loaderSeed, numWorkers: workers);
        var testLoader = DataLoader.Create(testSet, 1000, shuffle: false, seed: 0, numWorkers: workers);

        var net = ModelZoo.Create(model, 1, trainSet.Height, trainSet.Width, 10);
        // Gradients are averaged across ranks inside Backward; the trainer keeps using `net` itself, so checkpoints have
        // the usual parameter names and load into a single-process model.
        using var ddp = comm is not null ? new DistributedDataParallel(net, comm) : null;
        var opt = TrainingSetup.CreateOptimizer(optimizer, net.Parameters(), lr, weightDecay);
        ILRScheduler? sched = scheduler switch
        {
            "cosine" => new CosineAnnealingLR(opt, epochs),
            "step" => new StepLR(opt, Math.Max(1, epochs / 3), 0.1),
            "plateau" => new ReduceLROnPlateau(opt, patience: 1, factor: 0.5),
            _ => null,
        };
        var options = new TrainerOptions
        {
            // Only rank 0 logs, reports and checkpoints (the replicas are identical).
            OutputDir = rank0 ? outDir : null,
            ResumeFrom = resume,
            AccumulationSteps = accumulate,
            Progress = rank0 ? progressMode : ProgressMode.None,
            CancellationToken = cancel,
            LogEvery = logEvery,
            Title = $"polymath train: {model} on {dataset}",
            ClassNames = TrainingSetup.ClassNames(dataset),
            AutocastDType = precision,
            // float16's 5-bit exponent needs loss scaling; bfloat16 has float32's range.
            LossScaler = precision == DType.Float16 ? CreateScaler(resume, Saved(GradScaler.CheckpointKey), lossScale, growthInterval, rank0) : null,
        };
        if (options.LossScaler is GradScaler scalerToSave)
        {
            // The scaler's state rides in the checkpoint's metadata; it is refreshed after every step, so both the
            // end-of-epoch and the Ctrl-C checkpoint hold the scale that the next step would use.
            options.Metadata[GradScaler.CheckpointKey] = scalerToSave.StateJson();
            options.Callbacks.Add(new ScalerStateCallback(scalerToSave, options.Metadata));
        }
        options.Metadata["model"] = model;
        options.Metadata["dataset"] = dataset;
        options.Metadata["data_dir"] = Path.GetFullPath(dataDir);
        options.Metadata["optimizer"] = optimizer;
        options.Metadata["lr"] = lr.ToString(inv);
        options.Metadata["batch_size"] = batchSize.ToString(inv);
        options.Metadata["seed"] = seed.ToString(inv);
        options.Metadata["precision"] = TrainingSetup.PrecisionName(precision);
        options.Metadata["threads"] = Threads.Count.ToString(inv);
        if (comm is not null)
        {
            options.Metadata["world_size"] = comm.Size.ToString(inv);
            options.Metadata["global_batch_size"] = (batchSize * comm.Size).ToString(inv);
            options.Callbacks.Add(sampler!.EpochCallback);
        }
        if (rank0)
            options.Callbacks.Add(new BestCheckpoint(Path.Combine(outDir, "best.safetensors"), "val_accuracy"));
        if (patience is int p)
            options.Callbacks.Add(new EarlyStopping("val_loss", p));
        var trainer = new Trainer(options);
        Console.WriteLine($"polymath train: {model} ({net.Parameters().Sum(q => q.Numel).ToString("N0", inv)} parameters) on {dataset} " +
                          $"({trainCount} train{(sampler is null ? "" : $" ({sampler.NumSamples} per rank)")} / {testSet.Count} test images from {dataDir}), {epochs} epochs, batch {batchSize}, " +
                          $"{optimizer} lr {lr.ToString(inv)}, seed {seed}, {Threads.Count} thread(s), precision {TrainingSetup.PrecisionName(precision)}, output {outDir}" +
                          (comm is null ? "" : $", rank 0 of {comm.Size} ({comm.Backend}), global batch {batchSize * comm.Size}") +
                          (resume is null ? "" : $", resuming from {resume} (epoch {resumeInfo!.Epoch}, step {resumeInfo.Step})"));
        var result = trainer.Fit(net, new CrossEntropyLoss(), opt, trainLoader, testLoader, epochs, sched);
        if (progressMode == ProgressMode.None)
            foreach (var r in result.History.Skip(resumeInfo?.Epoch ?? 0))
                Console.WriteLine(Trainer.Summary(r));
        if (result.History.Count > 0 && result.History[^1].Get("val_accuracy") is double acc)
            Console.WriteLine($"test accuracy: {(acc * 100).ToString("F2", inv)}% after {result.EpochsCompleted} epochs " +
                              $"({result.History.Sum(h => h.Seconds).ToString("F1", inv)} s in total; mean {(result.History.Average(h => h.Seconds)).ToString("F1", inv)} s/epoch)");
        Console.WriteLine($"{result.Reason}: {result.Message}");
        if (precision is { } p16)
            Console.WriteLine($"precision: {TrainingSetup.PrecisionName(precision)} (autocast {p16.Name()}, float32 master weights" +
                              (options.LossScaler is GradScaler gs ? $", loss scale {gs.LossScale.ToString(inv)}, {gs.SkippedSteps} skipped step(s))" : ")"));
        Console.WriteLine($"log: {trainer.RunLogPath}  report: {trainer.ReportPath}  checkpoint: {result.LastCheckpoint ?? "(none)"}");
        int code = result.Reason switch
        {
            StopReason.Completed or StopReason.EarlyStopped => 0,
            StopReason.Cancelled => 130,
            _ => 1,
        };
        if (code == 0)
            dist?.Succeeded(); // otherwise other ranks may still wait in a collective: mpirun ends the job instead of MPI_Finalize
        return code;
    }

    /// <summary>
    /// The float16 GradScaler: on resume it continues from the checkpoint's state (scale, growth tracker, settings);
    /// a checkpoint without one (written by an fp32/bf16 run or before the state was saved) starts again at the
    /// initial scale, with a note saying so.
    /// </summary>
    private static GradScaler CreateScaler(string? resume, string? saved, double? lossScale, int? growthInterval, bool rank0)
    {
        var scaler = new GradScaler(initScale: lossScale ?? 65536, growthInterval: growthInterval ?? 2000);
        if (resume is null)
            return scaler;
        if (saved is null)
        {
            if (rank0)
                Console.Error.WriteLine($"polymath train: note: '{resume}' holds no GradScaler state (written by an fp32/bf16 run or an older version); the fp16 loss scale starts again at {scaler.LossScale.ToString(CultureInfo.InvariantCulture)}.");
            return scaler;
        }
        try
        {
            scaler.LoadStateJson(saved, $"--resume '{resume}'");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message, "train");
        }
        if (rank0)
        {
            if (lossScale is not null || growthInterval is not null)
                Console.Error.WriteLine("polymath train: note: --loss-scale/--loss-scale-growth-interval are ignored on resume; the checkpoint's GradScaler state wins.");
            Console.Error.WriteLine($"polymath train: GradScaler restored from '{resume}': {scaler}.");
        }
        return scaler;
    }

    /// <summary>Keeps the GradScaler's state in the run metadata that every checkpoint copies.</summary>
    private sealed class ScalerStateCallback(GradScaler scaler, Dictionary<string, string> metadata) : ITrainerCallback
    {
        public void OnStepEnd(TrainerContext context, double loss) => metadata[GradScaler.CheckpointKey] = scaler.StateJson();
    }

    /// <summary>Merges <c>--config FILE</c> into the arguments (command line first).</summary>
    internal static string[] ApplyConfig(string command, string[] argv, string[] valueOptions, string[] flags)
    {
        var pre = new Args(command, argv);
        string? config = pre.Value("--config");
        if (config is null)
            return argv;
        var without = new List<string>();
        for (int i = 0; i < argv.Length; i++)
        {
            if (argv[i] == "--config") { i++; continue; }
            if (argv[i].StartsWith("--config=", StringComparison.Ordinal)) continue;
            without.Add(argv[i]);
        }
        return ConfigFile.Merge(command, [.. without], config, valueOptions, flags);
    }
}
