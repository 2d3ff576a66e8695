namespace Polymath.Training.Tests;

/// <summary>Small seeded data sets and models so the trainer tests run in well under a second each.</summary>
internal static class Synthetic
{
    public const int Features = 16, Classes = 4;

    /// <summary>n points around 4 fixed Gaussian cluster centres (noise seeded by <paramref name="seed"/>), as (x float32 [16], label int64 []).</summary>
    public static ListDataset<(Tensor, Tensor)> Clusters(int n, ulong seed)
    {
        var centers = new float[Classes * Features];
        new Generator(1000).FillNormal(centers, 0f, 1f); // the same clusters for every split
        var g = new Generator(seed);
        var items = new List<(Tensor, Tensor)>();
        var noise = new float[Features];
        for (int i = 0; i < n; i++)
        {
            int c = i % Classes;
            g.FillNormal(noise, 0f, 1f);
            var x = new float[Features];
            for (int j = 0; j < Features; j++) x[j] = centers[c * Features + j] + noise[j];
            items.Add((Tensor.From(x, Features), Tensor.From(new long[] { c }, 1).Reshape(Array.Empty<int>())));
        }
        return new ListDataset<(Tensor, Tensor)>(items);
    }

    public static DataLoader<(Tensor, Tensor), (Tensor, Tensor)> Loader(Dataset<(Tensor, Tensor)> data, int batch = 16, bool shuffle = true, ulong seed = 7) =>
        DataLoader.Create(data, batch, shuffle, seed: seed);

    /// <summary>A small MLP with dropout, so resuming must restore the default generator too.</summary>
    public static Sequential Model() => new(new Linear(Features, 32), new ReLU(), new Dropout(0.2), new Linear(32, Classes));


    public static Tensor CrossEntropy(Tensor output, Tensor target) => Losses.CrossEntropy(output, target);

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "polymath-training-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static TrainerOptions Quiet(string? outDir = null) => new() { OutputDir = outDir, Progress = ProgressMode.None, LogEvery = 4 };

    public static void AssertSameWeights(Module a, Module b)
    {
        var sa = a.StateDict();
        var sb = b.StateDict();
        Assert.Equal(sa.Keys, sb.Keys);
        foreach (var (k, t) in sa)
        {
            var x = t.Contiguous().ToArray<float>();
            var y = sb[k].Contiguous().ToArray<float>();
            Assert.True(x.AsSpan().SequenceEqual(y), $"{k} differs (first: {x[0]:R} vs {y[0]:R})");
        }
    }

    /// <summary>Parameters and buffers (int64 buffers too) identical bit for bit.</summary>
    public static void AssertSameWeightsAndBuffers(Module a, Module b)
    {
        var sa = a.StateDict();
        var sb = b.StateDict();
        Assert.Equal(sa.Keys, sb.Keys);
        foreach (var (k, t) in sa)
        {
            if (t.DType == DType.Int64)
                Assert.Equal(t.ToArray<long>(), sb[k].ToArray<long>());
            else
                Assert.True(t.Contiguous().ToArray<float>().AsSpan().SequenceEqual(sb[k].Contiguous().ToArray<float>()), $"{k} differs");
        }
    }
}
