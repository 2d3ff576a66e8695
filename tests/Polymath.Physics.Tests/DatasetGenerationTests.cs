using System.Text.Json;
using Polymath.Data;
using Polymath.Physics;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Physics.Tests;

/// <summary>Streaming dataset files: contents, reproducibility across thread counts, readers, and refusal of bad input before any work.</summary>
public class DatasetGenerationTests(ITestOutputHelper output)
{
    private static IsingDatasetOptions SmallIsing(ulong seed, int? parallel = null) => new()
    {
        Sizes = [8, 12], Temperatures = [1.5, 2.3, 3.5], SamplesPerTemperature = 21, Replicas = 2,
        BurnInSweeps = 50, PilotSweeps = 100, Seed = seed, MaxParallelism = parallel,
    };

    [Fact]
    public void IsingFilesHoldConsistentSamples()
    {
        using var dir = new TempDirectory();
        const ulong seed = 5;
        output.WriteLine($"seed {seed}");
        var files = IsingDatasetGenerator.Generate(SmallIsing(seed), dir.Path);
        Assert.Equal([8, 12], files.Select(f => f.Size));
        foreach (var f in files)
        {
            using var ds = new IsingSpinDataset(f.Path);
            Assert.Equal(63, ds.Count);
            Assert.Equal(f.Size, ds.Size);
            var lattice = new IsingLattice(f.Size);
            for (int i = 0; i < ds.Count; i++)
            {
                ds.ReadSpins(i, lattice.Spins);
                Assert.All(lattice.Spins, s => Assert.True(s is 1 or -1));
                // The stored energy and magnetisation are those of the stored spins.
                Assert.Equal(lattice.Energy() / (double)lattice.Sites, ds.Energies[i], 5);
                Assert.Equal(lattice.Magnetization() / (double)lattice.Sites, ds.Magnetizations[i], 5);
            }
            Assert.Equal([1.5f, 2.3f, 3.5f], ds.Temperatures.Distinct());
            Assert.Equal(21, ds.Temperatures.Count(t => t == 1.5f));
            // Ordered at T = 1.5: |m| close to Onsager's 0.9865; disordered at T = 3.5.
            Assert.True(Enumerable.Range(0, 21).Average(i => Math.Abs(ds.Magnetizations[i])) > 0.9);
            Assert.True(Enumerable.Range(42, 21).Average(i => Math.Abs(ds.Magnetizations[i])) < 0.4);
            var observables = ds.Observables();
            Assert.Equal(3, observables.Count);
            Assert.True(observables[0].Energy.Deviations(Onsager.EnergyPerSpin(1.5)) < 4 || Math.Abs(observables[0].Energy.Value - Onsager.EnergyPerSpin(1.5)) < 0.01);
            var item = ds[0];
            Assert.Equal([1, f.Size, f.Size], item[0].Shape);
            Assert.Equal(1.5f, item[1].Item<float>());
            using var sidecar = JsonDocument.Parse(File.ReadAllText(f.SidecarPath));
            Assert.Equal(IsingDatasetGenerator.Format, sidecar.RootElement.GetProperty("format").GetString());
            Assert.Equal(seed, sidecar.RootElement.GetProperty("parameters").GetProperty("seed").GetUInt64());
            Assert.Equal(6, sidecar.RootElement.GetProperty("chains").GetArrayLength());
            Assert.Contains("\"seed\":5", ds.Parameters);
            // The project's own safetensors reader reads the file too (I8 arrives as int64).
            var all = SafeTensors.Load(f.Path);
            Assert.Equal([63, f.Size, f.Size], all["spins"].Shape);
        }
        using (var first = new IsingSpinDataset(files[0].Path))
        {
            var (spins, temps) = first.LoadAll();
            Assert.Equal([63, 1, 8, 8], spins.Shape);
            Assert.Equal(first[62][0].ToArray<float>(), spins[62].ToArray<float>());
            Assert.Equal(3.5f, temps[62].Item<float>());
        }
        var loader = DataLoader.Create(new IsingSpinDataset(files[0].Path), batchSize: 16, shuffle: true);
        var batch = loader.First();
        Assert.Equal([16, 1, 8, 8], batch[0].Shape);
        Assert.Equal([16], batch[1].Shape);
    }

    [Fact]
    public void IsingFilesAreTheSameForAnyThreadCount()
    {
        using var one = new TempDirectory();
        using var two = new TempDirectory();
        var a = IsingDatasetGenerator.Generate(SmallIsing(9, parallel: 1), one.Path);
        var b = IsingDatasetGenerator.Generate(SmallIsing(9, parallel: 2), two.Path);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(File.ReadAllBytes(a[i].Path), File.ReadAllBytes(b[i].Path));
            Assert.Equal(File.ReadAllText(a[i].SidecarPath), File.ReadAllText(b[i].SidecarPath));
        }
        using var c = new TempDirectory();
        var other = IsingDatasetGenerator.Generate(SmallIsing(10), c.Path);
        Assert.NotEqual(File.ReadAllBytes(a[0].Path), File.ReadAllBytes(other[0].Path));
    }

    [Fact]
    public void TfimFileHoldsSnapshotsAndCorrelators()
    {
        using var dir = new TempDirectory();
        var options = new TfimDatasetOptions { Sites = 6, Fields = [0.5, 1.0, 2.0], ShotsPerBasis = 500, Seed = 3 };
        string path = TfimDatasetGenerator.Generate(options, dir.Path);
        using var z = new TfimSnapshotDataset(path, MeasurementBasis.Z);
        using var x = new TfimSnapshotDataset(path, MeasurementBasis.X);
        Assert.Equal(1500, z.Count);
        Assert.Equal([6], z[0][0].Shape);
        Assert.Equal(1.0f, z[500][1].Item<float>());
        var tensors = SafeTensors.Load(path);
        Assert.Equal([3, 64, 2], tensors["amplitudes"].Shape);
        for (int f = 0; f < 3; f++)
        {
            var gs = TransverseFieldIsing.ExactGroundState(6, options.Fields[f]);
            Assert.Equal(gs.Energy, z.Energies[f], 9);
            Assert.Equal(gs.ZZ(0, 5), tensors["zz"][f, 0, 5].Item<double>(), 9);
            // ⟨X₂⟩ from the X-basis shots within 4 standard errors.
            double mean = Enumerable.Range(f * 500, 500).Average(i => (double)x[i][0][2].Item<float>());
            double exact = gs.X(2);
            Assert.True(Math.Abs(mean - exact) < 4 * Math.Sqrt((1 - exact * exact) / 500) + 1e-9, $"h={options.Fields[f]}: ⟨X₂⟩ {mean} vs {exact}");
        }
        using var again = new TempDirectory();
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(TfimDatasetGenerator.Generate(options, again.Path)));
    }

    [Fact]
    public void TfimQmcFileHoldsZSnapshotsOfALongChain()
    {
        // 40 sites is beyond exact diagonalisation; the checks are the free-fermion energy and the snapshots' ⟨Z₀Z₂₀⟩
        // against the file's own correlator table, at a gapped ordered field and a gapped disordered one.
        using var dir = new TempDirectory();
        var options = new TfimDatasetOptions
        {
            Sites = 40, Fields = [0.4, 1.8], ShotsPerBasis = 2000, Periodic = true, Seed = 9, Method = TfimSamplingMethod.ClusterQmc, BetaPerSite = 0.5,
        };
        string path = TfimDatasetGenerator.Generate(options, dir.Path);
        using var z = new TfimSnapshotDataset(path, MeasurementBasis.Z);
        Assert.Equal(4000, z.Count);
        Assert.Equal([40], z[0][0].Shape);
        var tensors = SafeTensors.Load(path);
        Assert.False(tensors.ContainsKey("x_snapshots"));
        Assert.False(tensors.ContainsKey("amplitudes"));
        Assert.Contains("Z-basis snapshots only", Assert.Throws<InvalidDataException>(() => new TfimSnapshotDataset(path, MeasurementBasis.X)).Message);
        for (int f = 0; f < 2; f++)
        {
            double h = options.Fields[f];
            double exact = Polymath.Quantum.SpinChains.TransverseFieldIsingPeriodicGroundEnergy(40, 1, h);
            output.WriteLine($"h={h}: QMC energy {z.Energies[f]:F3}, free fermions {exact:F3}; zz(0,20) {tensors["zz"][f, 0, 20].Item<double>():F4}");
            // The per-snapshot energy has a spread of ~√n; 2000 nearly independent shots give an error of ~0.15.
            Assert.True(Math.Abs(z.Energies[f] - exact) < 0.6, $"h={h}: QMC energy {z.Energies[f]} vs {exact}");
            double zz = Enumerable.Range(f * 2000, 2000).Average(i => (double)(z[i][0][0].Item<float>() * z[i][0][20].Item<float>()));
            Assert.Equal(zz, tensors["zz"][f, 0, 20].Item<double>(), 9);
        }
        Assert.True(tensors["zz"][0, 0, 20].Item<double>() > 0.9, "h = 0.4 is ordered: far spins agree");
        Assert.True(Math.Abs(tensors["zz"][1, 0, 20].Item<double>()) < 0.1, "h = 1.8 is disordered: far spins are uncorrelated");
        using var again = new TempDirectory();
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(TfimDatasetGenerator.Generate(options, again.Path)));
        Assert.Contains("for the qmc method", Assert.Throws<ArgumentException>(() => TfimDatasetGenerator.Generate(options with { Sites = 5000 }, dir.Path)).Message);
        Assert.Contains("BetaPerSite", Assert.Throws<ArgumentException>(() => TfimDatasetGenerator.Generate(options with { BetaPerSite = 0 }, dir.Path)).Message);
        Assert.Contains("for the exact method", Assert.Throws<ArgumentException>(() => TfimDatasetGenerator.Generate(options with { Method = TfimSamplingMethod.Exact }, dir.Path)).Message);
    }

    [Fact]
    public void BadInputFailsBeforeAnyFileIsWritten()
    {
        using var dir = new TempDirectory();
        var good = SmallIsing(1);
        void Refused<TException>(IsingDatasetOptions o, string fragment) where TException : Exception
        {
            var e = Assert.Throws<TException>(() => IsingDatasetGenerator.Generate(o, dir.Path));
            output.WriteLine(e.Message);
            Assert.Contains(fragment, e.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        }
        Refused<ArgumentException>(good with { Model = "potts" }, "unknown physics model 'potts'");
        Refused<ArgumentException>(good with { Model = "tfim" }, "not the 2D Ising model");
        Refused<ArgumentException>(good with { Temperatures = [2.0, -1.0] }, "temperature #1 is -1");
        Refused<ArgumentException>(good with { Temperatures = [0.0] }, "temperature #0 is 0");
        Refused<ArgumentException>(good with { Temperatures = [] }, "temperature list is empty");
        Refused<ArgumentException>(good with { Temperatures = [2.0, 2.0] }, "listed 2 times");
        Refused<ArgumentException>(good with { Sizes = [100_000] }, "outside [2, 46340]");
        Refused<InsufficientMemoryException>(good with { Sizes = [40_000], MaxParallelism = 512, Temperatures = Enumerable.Range(1, 512).Select(i => i * 0.01).ToArray() }, "needs about");
        Assert.Throws<ArgumentException>(() => TemperatureGrid.Linear(2.5, 2.0, 10));
        Assert.Contains("empty range", Assert.Throws<ArgumentException>(() => TemperatureGrid.Linear(2.0, 2.5, 0)).Message);
        Assert.Throws<ArgumentException>(() => TfimDatasetGenerator.Generate(new TfimDatasetOptions { Fields = [] }, dir.Path));
        Assert.Throws<ArgumentException>(() => TfimDatasetGenerator.Generate(new TfimDatasetOptions { Model = "heisenberg", Fields = [1.0] }, dir.Path));
        Assert.Throws<ArgumentException>(() => IsingSimulation.Run(new IsingRunOptions { Temperatures = [] }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void CancelledGenerationLeavesNoFile()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        var progress = new Progress<long>(_ => { });
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => IsingDatasetGenerator.Generate(SmallIsing(2), dir.Path, progress, cts.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
