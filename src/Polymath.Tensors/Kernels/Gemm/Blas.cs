using Polymath.Kernels;

namespace Polymath;

/// <summary>
/// Which library performs matrix multiplication. OpenBLAS is loaded at run time when <c>libopenblas</c> is
/// present; it is used by default only on machines without AVX-512, where the managed kernel is not the
/// faster one (on AVX-512 machines the managed kernel measured 1.5-1.8x faster in <c>polymath bench</c>).
/// The environment variable <c>POLYMATH_BLAS=openblas</c> prefers OpenBLAS, <c>POLYMATH_BLAS=managed</c> never
/// loads it; <see cref="UseOpenBlas"/> switches at run time (benchmarks use it to measure both paths). OpenBLAS is given <see cref="Threads.Count"/> threads.
/// Products started from inside one of Polymath's own parallel loops always use the managed kernel,
/// single-threaded, since OpenBLAS's thread pool is shared by the whole process.
/// </summary>
public static class Blas
{
    /// <summary>Name of the environment variable read at start-up; <c>managed</c> disables OpenBLAS, <c>openblas</c> prefers it.</summary>
    public const string EnvironmentVariable = "POLYMATH_BLAS";

    /// <summary>True when OpenBLAS was found and loaded (false when disabled by <see cref="EnvironmentVariable"/>).</summary>
    public static bool OpenBlasAvailable => OpenBlas.IsAvailable;

    /// <summary>
    /// Whether matrix products go to OpenBLAS or to the managed kernel (see the class remarks for the default).
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
