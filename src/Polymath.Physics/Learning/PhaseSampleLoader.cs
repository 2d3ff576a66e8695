namespace Polymath.Physics.Learning;

/// <summary>Reads <see cref="PhaseSamples"/> from the dataset files of <see cref="IsingDatasetGenerator"/> and <see cref="TfimDatasetGenerator"/>.</summary>
public static class PhaseSampleLoader
{
    /// <summary>Every configuration of an <c>ising2d-L{L}.safetensors</c> file, as [1, L, L] inputs with their temperatures.</summary>
    /// <exception cref="InsufficientMemoryException">The file does not fit in memory as float32.</exception>
    public static PhaseSamples Ising(IsingSpinDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (spins, _) = dataset.LoadAll();
        return new PhaseSamples(dataset.Size, [1, dataset.Size, dataset.Size], spins.ToArray(), dataset.Temperatures.Select(t => (double)t).ToArray());
    }

    /// <summary>Every snapshot of a <c>tfim-n{n}.safetensors</c> file in one basis, as [n] inputs of ±1 with their fields.</summary>
    public static PhaseSamples Tfim(TfimSnapshotDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int n = dataset.Sites;
        var features = new float[(long)dataset.Count * n];
        var fields = new double[dataset.Count];
        for (int i = 0; i < dataset.Count; i++)
        {
            var item = dataset[i];
            item[0].ToArray().CopyTo(features, (long)i * n);
            fields[i] = dataset.Fields[i / dataset.ShotsPerField];
        }
        return new PhaseSamples(n, [n], features, fields);
    }
}
