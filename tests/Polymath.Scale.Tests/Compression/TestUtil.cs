namespace Polymath.Scale.Tests.Compression;

/// <summary>Finds ../shared/data beside the checkout (as the data tests do) and builds small deterministic inputs.</summary>
internal static class TestUtil
{
    public static readonly string? RepoRoot = FindRepoRoot();

    public static string Mnist => RepoRoot is null ? "(repository root not found)" : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "mnist"));

    public static bool HasMnist => File.Exists(Path.Combine(Mnist, "train-images-idx3-ubyte.gz"));

    public static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, DType.Float32, new Generator(seed));

    public static float MaxAbsDiff(Tensor a, Tensor b)
    {
        var x = a.ToArray();
        var y = b.ToArray();
        Assert.Equal(x.Length, y.Length);
        float m = 0;
        for (int i = 0; i < x.Length; i++)
            m = Math.Max(m, Math.Abs(x[i] - y[i]));
        return m;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return dir.FullName;
        return null;
    }
}

/// <summary>A fact skipped, saying where it looked, when the MNIST files are absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (!TestUtil.HasMnist) Skip = $"data set not found: {TestUtil.Mnist} (tests look for ../shared/data beside the checkout)";
    }
}

/// <summary>A theory skipped, saying why, on a CPU without AVX-VNNI (the direct int8 convolution needs it).</summary>
public sealed class VnniTheoryAttribute : TheoryAttribute
{
    public VnniTheoryAttribute()
    {
        if (!System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) Skip = "this CPU has no AVX-VNNI: the direct int8 convolution does not run here";
    }
}
