using Polymath.Data;

namespace Polymath.Physics;

/// <summary>
/// Reads a file of <see cref="IsingDatasetGenerator"/> as a <see cref="Dataset{T}"/> for training: item i is
/// [spins float32 [1, L, L] with values ±1, temperature float32 0-d], read from disk on demand (thread-safe, so a
/// multi-worker <see cref="DataLoader"/> can use it); the small per-sample label arrays are kept in memory.
/// </summary>
public sealed class IsingSpinDataset : Dataset<Tensor[]>, IDisposable
{
    private readonly SafeTensorsIndex _file;

    /// <summary>Opens a file written by <see cref="IsingDatasetGenerator"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a safetensors file of that format; the message names the file and what is wrong.</exception>
    public IsingSpinDataset(string path)
    {
        _file = new SafeTensorsIndex(path);
        try
        {
            if (!_file.Metadata.TryGetValue("format", out var format) || format != IsingDatasetGenerator.Format)
                throw new InvalidDataException($"dataset file {_file.Path}: format '{format}' is not {IsingDatasetGenerator.Format}");
            var shape = _file.Entry("spins", "I8").Shape;
            if (shape.Length != 3 || shape[1] != shape[2] || shape[0] > int.MaxValue)
                throw new InvalidDataException($"dataset file {_file.Path}: spins have shape [{string.Join(", ", shape)}], expected [N, L, L]");
            Size = (int)shape[1];
            Temperatures = _file.ReadAll<float>("temperature", "F32");
            Replicas = _file.ReadAll<int>("replica", "I32");
            Energies = _file.ReadAll<float>("energy", "F32");
            Magnetizations = _file.ReadAll<float>("magnetization", "F32");
            if (Temperatures.Count != shape[0]) throw new InvalidDataException($"dataset file {_file.Path}: {Temperatures.Count} temperatures for {shape[0]} samples");
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The lattice side L.</summary>
    public int Size { get; }

    /// <summary>The temperature of each sample.</summary>
    public IReadOnlyList<float> Temperatures { get; }

    /// <summary>The replica (chain) of each sample.</summary>
    public IReadOnlyList<int> Replicas { get; }

    /// <summary>E/N of each sample.</summary>
    public IReadOnlyList<float> Energies { get; }

    /// <summary>M/N of each sample (signed).</summary>
    public IReadOnlyList<float> Magnetizations { get; }

    /// <summary>The generating parameters (JSON) stored in the file.</summary>
    public string Parameters => _file.Metadata.GetValueOrDefault("parameters", "{}");

    /// <inheritdoc />
    public override int Count => Temperatures.Count;

    /// <summary>[spins float32 [1, L, L], temperature float32 0-d].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Index outside [0, Count).</exception>
    public override Tensor[] this[int index]
    {
        get
        {
            int sites = Size * Size;
            var raw = new sbyte[sites];
            ReadSpins(index, raw);
            var values = new float[sites];
            for (int i = 0; i < sites; i++) values[i] = raw[i];
            return [Tensor.Wrap(values, 1, Size, Size), Tensor.Scalar(Temperatures[index])];
        }
    }

    /// <summary>Copies the ±1 spins of sample <paramref name="index"/> (row-major, L² values) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Index outside [0, Count) or a destination shorter than L².</exception>
    public void ReadSpins(int index, Span<sbyte> destination)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Ising dataset: sample {index} outside [0, {Count})");
        int sites = Size * Size;
        if (destination.Length < sites) throw new ArgumentOutOfRangeException(nameof(destination), $"Ising dataset: need room for {sites} spins");
        _file.Read("spins", (long)index * sites, System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination[..sites]));
    }

    /// <summary>
    /// Every sample at once, for training sets that fit in memory: (spins float32 [N, 1, L, L] of ±1, temperatures
    /// float32 [N]), read in one pass over the file.
    /// </summary>
    /// <exception cref="InsufficientMemoryException">The float32 copy would not fit in memory.</exception>
    public (Tensor Spins, Tensor Temperatures) LoadAll()
    {
        long sites = (long)Size * Size, total = sites * Count;
        PhysicsChecks.Memory(total * 5, $"loading {Count} {Size}×{Size} configurations from {_file.Path}");
        if (total > Array.MaxLength) throw new InsufficientMemoryException($"Ising dataset: {total} spins exceed one array; iterate with a DataLoader instead");
        var raw = new sbyte[total];
        _file.Read("spins", 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(raw.AsSpan()));
        var values = new float[total];
        for (long i = 0; i < total; i++) values[i] = raw[i];
        return (Tensor.Wrap(values, Count, 1, Size, Size), Tensor.From(Temperatures.ToArray(), Count));
    }

    /// <summary>
    /// Thermodynamic observables per temperature from the stored energies and magnetisations (each replica's samples
    /// cut into <paramref name="blocksPerChain"/> blocks, jackknife over all blocks), so a report can plot C, χ and U
    /// of exactly the data a model was trained on. Spacing, thermalisation and τ are not in the file (they are in the
    /// sidecar) and are reported as 0 and null.
    /// </summary>
    /// <exception cref="ArgumentException">A replica holds fewer samples than blocks.</exception>
    public IReadOnlyList<IsingObservables> Observables(int blocksPerChain = 4)
    {
        var series = Enumerable.Range(0, Count)
            .GroupBy(i => (Temperatures[i], Replicas[i]))
            .Select(g => new ChainSeries(Size, g.Key.Item1, g.Key.Item2, 0, 0,
                g.Select(i => (double)Energies[i]).ToArray(), g.Select(i => (double)Magnetizations[i]).ToArray(), null, null));
        return series.GroupBy(c => c.Temperature).Select(g => IsingSimulation.Analyze(g.ToList(), blocksPerChain)).ToList();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
