using Polymath.Data;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>What the <c>polymath train</c> tests share: comparing two checkpoints' model tensors and reading their metadata.</summary>
internal static class CliRun
{
    /// <summary>The largest |a − b| over the float32 model tensors of two checkpoints (asserting that enough were compared).</summary>
    public static double MaxModelDifference(string a, string b)
    {
        var ta = SafeTensors.Load(a);
        var tb = SafeTensors.Load(b);
        double max = 0;
        int compared = 0;
        foreach (var (key, t) in tb.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)))
        {
            if (t.DType != DType.Float32)
                continue;
            Assert.True(ta.TryGetValue(key, out var u), $"{a} lacks {key}");
            max = Math.Max(max, t.ToArray<float>().Zip(u!.ToArray<float>(), (x, y) => Math.Abs((double)x - y)).Max());
            compared++;
        }
        Assert.True(compared >= 6, $"compared only {compared} tensors; keys: {string.Join(", ", tb.Keys.Take(12))}");
        return max;
    }

    /// <summary>A fresh temporary folder, deleted by the returned handle.</summary>
    public static TempDir Temp(string prefix) => new(Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"));

    public sealed class TempDir : IDisposable
    {
        public TempDir(string path)
        {
            Path = path;
            Directory.CreateDirectory(path);
        }

        public string Path { get; }

        public string this[string name] => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>Needs the MNIST files under ../shared/data (skipped with the path when absent); no mpirun.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(TrainNprocTests.Mnist, "train-images-idx3-ubyte.gz")) && !File.Exists(Path.Combine(TrainNprocTests.Mnist, "train-images-idx3-ubyte")))
            Skip = $"MNIST not found under {TrainNprocTests.Mnist} (tests read ../shared/data beside the checkout; CI has it)";
    }
}
