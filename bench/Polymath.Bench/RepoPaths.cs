namespace Polymath.Bench;

/// <summary>Finds the repository root (the folder holding Polymath.slnx) and the shared peers beside it.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string?> s_root = new(Find);

    /// <summary>The repository root, or null when neither the current folder nor the program's folder is inside it.</summary>
    public static string? Root => s_root.Value;

    /// <summary><c>../shared/peers</c> relative to the root (override with POLYMATH_SHARED_PEERS).</summary>
    public static string? SharedPeers
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("POLYMATH_SHARED_PEERS");
            if (!string.IsNullOrEmpty(env))
                return env;
            return Root is null ? null : Path.GetFullPath(Path.Combine(Root, "..", "shared", "peers"));
        }
    }

    /// <summary>bench/peers under the root: our own peer scripts.</summary>
    public static string? OurPeers => Root is null ? null : Path.Combine(Root, "bench", "peers");

    /// <summary>bench/gemm_c under the root: the C OpenBLAS reference program.</summary>
    public static string? GemmC => Root is null ? null : Path.Combine(Root, "bench", "gemm_c");

    /// <summary>bench/stream_c under the root: the C STREAM-style bandwidth reference.</summary>
    public static string? StreamC => Root is null ? null : Path.Combine(Root, "bench", "stream_c");

    private static string? Find()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                    return dir.FullName;
            }
        }
        return null;
    }
}
