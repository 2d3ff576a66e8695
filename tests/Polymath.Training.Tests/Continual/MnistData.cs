namespace Polymath.Training.Tests.Continual;

/// <summary>The shared MNIST copy beside the checkout (../shared/data/mnist), loaded once for the continual tests.</summary>
internal static class MnistData
{
    public static readonly string Dir = FindDir();

    private static readonly Lazy<(Mnist Train, Mnist Test)> Sets = new(() => (new Mnist(Dir, train: true), new Mnist(Dir, train: false)));

    public static Mnist Train => Sets.Value.Train;

    public static Mnist Test => Sets.Value.Test;

    public static bool Present => File.Exists(Path.Combine(Dir, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(Dir, "train-images-idx3-ubyte"));

    private static string FindDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "mnist"));
        return "(repository root not found)";
    }
}

/// <summary>A fact skipped, saying where it looked, when the MNIST files are absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (!MnistData.Present)
            Skip = $"MNIST not found in {MnistData.Dir} (tests look for ../shared/data beside the checkout; CI has it)";
    }
}
