using Xunit;

namespace Polymath.Data.Tests;

/// <summary>Finds the shared data sets beside the checkout: walk up to the folder holding Polymath.slnx, then ../shared/data.</summary>
internal static class TestData
{
    public static readonly string? RepoRoot = FindRepoRoot();

    public static string DataRoot => RepoRoot is null ? "(repository root not found)" : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string Mnist => Path.Combine(DataRoot, "mnist");

    public static string FashionMnist => Path.Combine(DataRoot, "fashion-mnist");

    public static string TinyShakespeare => Path.Combine(DataRoot, "tinyshakespeare");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string SkipReason(string folder, string file) =>
        File.Exists(Path.Combine(folder, file)) ? "" : $"data set not found: {Path.Combine(folder, file)} is missing (tests look for ../shared/data beside the checkout; CI has it)";

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return dir.FullName;
        return null;
    }
}

/// <summary>A fact skipped, with a message saying where it looked, when the MNIST files are absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        string reason = TestData.SkipReason(TestData.Mnist, "train-images-idx3-ubyte.gz");
        if (reason.Length > 0) Skip = reason;
    }
}

/// <summary>A fact skipped when the Fashion-MNIST files are absent.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        string reason = TestData.SkipReason(TestData.FashionMnist, "t10k-images-idx3-ubyte.gz");
        if (reason.Length > 0) Skip = reason;
    }
}

/// <summary>A fact skipped when Tiny Shakespeare is absent.</summary>
public sealed class ShakespeareFactAttribute : FactAttribute
{
    public ShakespeareFactAttribute()
    {
        string reason = TestData.SkipReason(TestData.TinyShakespeare, "input.txt");
        if (reason.Length > 0) Skip = reason;
    }
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "polymath-data-" + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
