using Polymath.Data;

namespace Polymath.Physics;

/// <summary>
/// Reads the snapshots of a <see cref="TfimDatasetGenerator"/> file in one basis as a <see cref="Dataset{T}"/>:
/// item i is [snapshot float32 [n] with values ±1 (eigenvalues of Zᵢ or Xᵢ), field h float32 0-d]; items run field-major.
/// </summary>
public sealed class TfimSnapshotDataset : Dataset<Tensor[]>, IDisposable
{
    private readonly SafeTensorsIndex _file;
    private readonly string _tensor;
    private readonly int _shots;

    /// <summary>Opens a file written by <see cref="TfimDatasetGenerator"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a file of that format.</exception>
    public TfimSnapshotDataset(string path, MeasurementBasis basis)
    {
        _file = new SafeTensorsIndex(path);
        try
        {
            if (!_file.Metadata.TryGetValue("format", out var format) || format != TfimDatasetGenerator.Format)
                throw new InvalidDataException($"dataset file {_file.Path}: format '{format}' is not {TfimDatasetGenerator.Format}");
            _tensor = basis == MeasurementBasis.X ? "x_snapshots" : "z_snapshots";
            if (!_file.Contains(_tensor))
                throw new InvalidDataException($"dataset file {_file.Path}: no {_tensor} (a file made by cluster QMC holds Z-basis snapshots only)");
            var shape = _file.Entry(_tensor, "U8").Shape;
            Fields = _file.ReadAll<double>("field", "F64");
            Energies = _file.ReadAll<double>("energy", "F64");
            if (shape.Length != 3 || shape[0] != Fields.Count) throw new InvalidDataException($"dataset file {_file.Path}: {_tensor} has shape [{string.Join(", ", shape)}]");
            _shots = (int)shape[1];
            Sites = (int)shape[2];
            Basis = basis;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The basis of the snapshots read.</summary>
    public MeasurementBasis Basis { get; }

    /// <summary>Sites n.</summary>
    public int Sites { get; }

    /// <summary>The fields h, one per ground state.</summary>
    public IReadOnlyList<double> Fields { get; }

    /// <summary>The ground energies, one per field.</summary>
    public IReadOnlyList<double> Energies { get; }

    /// <summary>Snapshots per field.</summary>
    public int ShotsPerField => _shots;

    /// <inheritdoc />
    public override int Count => Fields.Count * _shots;

    /// <summary>[snapshot float32 [n] of ±1, field float32 0-d].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Index outside [0, Count).</exception>
    public override Tensor[] this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"TFIM dataset: item {index} outside [0, {Count})");
            var bits = new byte[Sites];
            _file.Read(_tensor, (long)index * Sites, bits);
            var values = new float[Sites];
            for (int i = 0; i < Sites; i++) values[i] = 1 - 2 * bits[i];
            return [Tensor.Wrap(values, Sites), Tensor.Scalar(Fields[index / _shots])];
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
