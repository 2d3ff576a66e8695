using Polymath.Kernels;

namespace Polymath;

/// <summary>
/// Which library performs matrix multiplication. Polymath uses OpenBLAS when <c>libopenblas</c> can be
/// loaded at run time, and its own managed SIMD kernel otherwise. Set the environment variable
/// <c>POLYMATH_BLAS=managed</c> to never load OpenBLAS; set <see cref="UseOpenBlas"/> to switch at run time
/// (benchmarks use it to measure both paths). OpenBLAS is given <see cref="Threads.Count"/> threads.
/// Products started from inside one of Polymath's own parallel loops always use the managed kernel,
/// single-threaded, since OpenBLAS's thread pool is shared by the whole process.
/// </summary>
public static class Blas
{
    /// <summary>Name of the environment variable read at start-up; the value <c>managed</c> disables OpenBLAS.</summary>
    public const string EnvironmentVariable = "POLYMATH_BLAS";

    /// <summary>True when OpenBLAS was found and loaded (false when disabled by <see cref="EnvironmentVariable"/>).</summary>
    public static bool OpenBlasAvailable => OpenBlas.IsAvailable;

    /// <summary>
    /// Whether matrix products go to OpenBLAS (true by default when it is available) or to the managed kernel.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set to true while OpenBLAS is not available.</exception>
    public static bool UseOpenBlas
    {
        get => OpenBlas.Enabled;
        set
        {
            if (value && !OpenBlas.IsAvailable)
                throw new InvalidOperationException(
                    $"OpenBLAS is not available (libopenblas could not be loaded, or {EnvironmentVariable}=managed is set).");
            OpenBlas.Enabled = value;
        }
    }

    /// <summary>The active provider: <c>"openblas"</c> or <c>"managed"</c>.</summary>
    public static string Provider => OpenBlas.Enabled ? "openblas" : "managed";
}
