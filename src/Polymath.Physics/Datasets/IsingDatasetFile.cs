namespace Polymath.Physics;

/// <summary>One file written by <see cref="IsingDatasetGenerator"/>: all samples of one lattice size.</summary>
/// <param name="Path">The safetensors file.</param>
/// <param name="SidecarPath">Its JSON sidecar (generating parameters, seed, per-chain spacing and τ).</param>
/// <param name="Size">L.</param>
/// <param name="Samples">Configurations in the file.</param>
public sealed record IsingDatasetFile(string Path, string SidecarPath, int Size, int Samples);
