using System.Text.Json;
using Polymath.Data;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary><c>polymath train --nproc N</c>: it relaunches itself under mpirun, and the job trains like one process with N times the batch.</summary>
public sealed class TrainNprocTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    internal static string Cli
    {
        get
        {
            // tests/Polymath.Scale.Tests/bin/<Config>/<tfm>/ -> src/Polymath.Cli/bin/<Config>/<tfm>/polymath.dll
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string tfm = baseDir.Name, config = baseDir.Parent!.Name;
            return Path.Combine(MpiRun.RepoRoot, "src", "Polymath.Cli", "bin", config, tfm, "polymath.dll");
        }
    }

    internal static MpiRun.Result Polymath(params string[] args) => MpiRun.Start([Cli, .. args], Limit, exe: MpiRun.Dotnet);

    internal static string Mnist => Path.GetFullPath(Path.Combine(MpiRun.RepoRoot, "..", "shared", "data", "mnist"));

    [MpiMnistFact]
    public void TwoRanksWithBatch32TrainLikeOneProcessWithBatch64AndOnlyRank0Writes()
    {
        string root = Path.Combine(Path.GetTempPath(), $"polymath-nproc-{Guid.NewGuid():N}");
        try
        {
            string[] common = ["train", "--model", "mlp", "--epochs", "1", "--limit", "256", "--optimizer", "sgd", "--lr", "0.05", "--scheduler", "none",
                "--progress", "none", "--threads", "1", "--seed", "3"];
            var dist = Polymath([.. common, "--batch-size", "32", "--nproc", "2", "--out", Path.Combine(root, "dist")]);
            Assert.True(dist.ExitCode == 0, dist.ToString());
            Assert.Contains("starting 2 ranks: ", dist.Stderr);
            Assert.Contains("mpirun -np 2", dist.Stderr);
            // Rank-0-only logging: one banner, one summary.
            Assert.Single(dist.Stdout.Split('\n'), l => l.Contains("rank 0 of 2") && l.Contains("global batch 64"));
            Assert.Single(dist.Stdout.Split('\n'), l => l.StartsWith("Completed:", StringComparison.Ordinal));
            var single = Polymath([.. common, "--batch-size", "64", "--out", Path.Combine(root, "single")]);
            Assert.True(single.ExitCode == 0, single.ToString());

            var a = SafeTensors.Load(Path.Combine(root, "dist", "last.safetensors"));
            var b = SafeTensors.Load(Path.Combine(root, "single", "last.safetensors"));
            int compared = 0;
            foreach (var (key, t) in b.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)))
            {
                if (!a.TryGetValue(key, out var u) || t.DType != DType.Float32)
                    continue;
                double diff = t.ToArray<float>().Zip(u.ToArray<float>(), (x, y) => Math.Abs(x - y)).Max();
                Assert.True(diff < 1e-4, $"{key}: max |single - distributed| = {diff}");
                compared++;
            }
            Assert.True(compared >= 6, $"compared only {compared} tensors; keys: {string.Join(", ", b.Keys.Take(12))}");
            // The run log is rank 0's alone and records the world size.
            var start = File.ReadLines(Path.Combine(root, "dist", "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
                .Single(e => e.GetProperty("event").GetString() == "start");
            Assert.Equal("2", start.GetProperty("world_size").GetString());
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [MpiFact]
    public void NprocThatDisagreesWithMpirunIsAClearError()
    {
        var r = MpiRun.Start(["-np", "2", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader", MpiRun.Dotnet, Cli,
            "train", "--model", "mlp", "--nproc", "3", "--epochs", "1"], Limit);
        Assert.False(r.TimedOut, r.ToString());
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--nproc 3 does not match the job: mpirun started 2 ranks", r.Stderr);
    }

    [Fact]
    public void AMissingHostfileIsAUsageError()
    {
        var r = MpiRun.Start([Cli, "train", "--nproc", "2", "--hostfile", "/nonexistent/hosts"], Limit, exe: MpiRun.Dotnet);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--hostfile: '/nonexistent/hosts' does not exist", r.Stderr);
    }
}

/// <summary>Needs mpirun (see <see cref="MpiFactAttribute"/>) and the MNIST files under ../shared/data (skipped with the path when absent).</summary>
public sealed class MpiMnistFactAttribute : FactAttribute
{
    public MpiMnistFactAttribute()
    {
        if (MpiRun.SkipReason.Length > 0)
            Skip = MpiRun.SkipReason;
        else if (!File.Exists(Path.Combine(TrainNprocTests.Mnist, "train-images-idx3-ubyte.gz")) && !File.Exists(Path.Combine(TrainNprocTests.Mnist, "train-images-idx3-ubyte")))
            Skip = $"MNIST not found under {TrainNprocTests.Mnist} (tests read ../shared/data beside the checkout; CI has it)";
    }
}
