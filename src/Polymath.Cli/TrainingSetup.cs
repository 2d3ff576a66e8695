using Polymath.Bench;
using Polymath.Data;
using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Polymath.Scale.Distributed;

namespace Polymath.Cli;

/// <summary>What train, eval and predict share: data sets, models and optimizers by name, and the default data folder.</summary>
internal static class TrainingSetup
{
    public static readonly string[] Datasets = ["mnist", "fashion-mnist"];
    public static readonly string[] Optimizers = ["adam", "adamw", "sgd"];
    public static readonly string[] Precisions = ["fp32", "bf16", "fp16"];

    /// <summary>The autocast dtype of a --precision name (null for fp32).</summary>
    /// <exception cref="UsageException">An unknown name; the message lists the valid ones.</exception>
    public static DType? CheckPrecision(string command, string name) => name.ToLowerInvariant() switch
    {
        "fp32" or "float32" => null,
        "bf16" or "bfloat16" => DType.BFloat16,
        "fp16" or "float16" => DType.Float16,
        _ => throw new UsageException($"unknown precision '{name}'; valid precisions: {string.Join(", ", Precisions)}.", command),
    };

    /// <summary>The --precision name of an autocast dtype.</summary>
    public static string PrecisionName(DType? dtype) => dtype switch { DType.BFloat16 => "bf16", DType.Float16 => "fp16", _ => "fp32" };

    public static string CheckModel(string command, string name)
    {
        string n = name.ToLowerInvariant();
        if (!ModelZoo.Names.Contains(n))
            throw new UsageException($"unknown model '{name}'; valid models: {string.Join(", ", ModelZoo.Names)}.", command);
        return n;
    }

    public static string CheckDataset(string command, string name)
    {
        string n = name.ToLowerInvariant().Replace('_', '-');
        if (n == "fashionmnist") n = "fashion-mnist";
        if (!Datasets.Contains(n))
            throw new UsageException($"unknown dataset '{name}'; valid datasets: {string.Join(", ", Datasets)}.", command);
        return n;
    }

    public static string CheckOptimizer(string command, string name)
    {
        string n = name.ToLowerInvariant();
        if (!Optimizers.Contains(n))
            throw new UsageException($"unknown optimizer '{name}'; valid optimizers: {string.Join(", ", Optimizers)}.", command);
        return n;
    }

    /// <summary>../shared/data/&lt;name&gt; beside the repository root (or the current folder when not inside the checkout).</summary>
    public static string DefaultDataDir(string dataset) =>
        Path.GetFullPath(Path.Combine(RepoPaths.Root ?? Environment.CurrentDirectory, "..", "shared", "data", dataset));

    /// <summary>
    /// Mean and standard deviation of the training images' pixels (scaled to [0, 1]). Inputs are standardised with
    /// them in train, eval and predict alike; LeNet-5 reached 99% on MNIST in fewer epochs that way.
    /// </summary>
    public static (double Mean, double Std) PixelStatistics(string dataset) =>
        dataset == "fashion-mnist" ? (0.2860, 0.3530) : (0.1307, 0.3081);

    /// <summary>Standardises a batch [N, 1, H, W] (or one image) of [0, 1] pixels with <see cref="PixelStatistics"/>.</summary>
    public static Tensor Standardize(string dataset, Tensor pixels)
    {
        var (mean, std) = PixelStatistics(dataset);
        return (pixels - mean) / std;
    }

    public static MnistLike LoadDataset(string dataset, string dir, bool train) => dataset switch
    {
        "mnist" => new Mnist(dir, train, transform: x => Standardize(dataset, x)),
        _ => new FashionMnist(dir, train, transform: x => Standardize(dataset, x)),
    };

    public static IReadOnlyList<string> ClassNames(string dataset) =>
        dataset == "fashion-mnist" ? FashionMnist.Classes : Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public static Optimizer CreateOptimizer(string name, IEnumerable<Tensor> parameters, double lr, double? weightDecay) => name switch
    {
        "sgd" => new SGD(parameters, lr, momentum: 0.9, weightDecay: weightDecay ?? 0),
        "adamw" => new AdamW(parameters, lr, weightDecay: weightDecay ?? 1e-2),
        _ => new Adam(parameters, lr, weightDecay: weightDecay ?? 0),
    };

    /// <summary>
    /// Runs this command under <c>mpirun -np N</c> (same arguments) and returns the job's exit code; after Ctrl-C
    /// (SIGINT) or SIGTERM the job is ended (see <see cref="MpiLauncher.RunJob"/>) and the result is 130 (143) with a message naming the
    /// last checkpoint rank 0 completed (checkpoints are written atomically, so a killed rank leaves the previous one whole).
    /// </summary>
    public static int LaunchUnderMpirun(int nproc, string? hostfile, string[] commandArgs, CancellationToken cancel, string outDir)
    {
        string mpirun = MpiLauncher.FindMpirun() ?? throw new UsageException(
            "--nproc: mpirun was not found on PATH; install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), " +
            "or start the ranks yourself: mpirun -np N polymath train ...", "train");
        var args = MpiLauncher.Arguments(nproc, hostfile, [.. MpiLauncher.CurrentProgram(typeof(Program).Assembly), "train", .. commandArgs]);
        Console.Error.WriteLine($"polymath train: starting {nproc} ranks: {MpiLauncher.Format(mpirun, args)}");
        var (code, signal) = MpiLauncher.RunJob(args, cancel);
        if (signal is null)
            return code;
        string last = Path.Combine(outDir, "last.safetensors");
        Console.Error.WriteLine($"polymath train: interrupted ({signal}): mpirun ended the {nproc} ranks (its exit code {code}); " +
                                (File.Exists(last) ? $"the last completed checkpoint is {last} (resume with --resume {last} --nproc {nproc})." : "no checkpoint had been written."));
        return signal == "SIGTERM" ? 143 : 130;
    }

    /// <summary>
    /// Inside an mpirun job: joins it (checking that it has <paramref name="nproc"/> ranks when given) and silences
    /// standard output on every rank but 0. Outside one: null (single-process training).
    /// </summary>
    public static DistributedRun? JoinDistributed(int? nproc, double? timeoutSeconds)
    {
        if (!MpiCommunicator.LaunchedByMpirun)
            return null;
        var comm = new MpiCommunicator(timeoutSeconds is double s ? TimeSpan.FromSeconds(s) : null);
        if (nproc is int n && n != comm.Size)
        {
            comm.Dispose();
            throw new UsageException($"--nproc {n} does not match the job: mpirun started {comm.Size} ranks (OMPI_COMM_WORLD_SIZE). Use the same number in both, or drop --nproc when starting mpirun yourself.", "train");
        }
        if (comm.Rank != 0)
            Console.SetOut(TextWriter.Null);
        return new DistributedRun(comm);
    }

    /// <summary>Cores per rank on this host (OMPI_COMM_WORLD_LOCAL_SIZE ranks share them), at least 1.</summary>
    public static int ThreadsPerRank() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int local) && local > 0
            ? Math.Max(1, Environment.ProcessorCount / local) : Environment.ProcessorCount;

    /// <summary>
    /// This rank's membership in the job. Disposing finalises MPI only after <see cref="Succeeded"/>: a rank that failed
    /// (an exception, a non-finite loss) leaves without MPI_Finalize, which could wait forever for ranks still blocked
    /// in a collective; its non-zero exit makes mpirun end the whole job instead.
    /// </summary>
    public sealed class DistributedRun(MpiCommunicator communicator) : IDisposable
    {
        private bool _succeeded;

        public MpiCommunicator Communicator { get; } = communicator;

        /// <summary>Marks the run as finished normally on this rank.</summary>
        public void Succeeded() => _succeeded = true;

        public void Dispose()
        {
            if (_succeeded)
                Communicator.Dispose();
        }
    }
}
