using Polymath.Data.Transforms;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class DataLoaderTests(ITestOutputHelper output)
{
    /// <summary>Item i is (float32 [2] = {i, -i}, label i): easy to trace through batches.</summary>
    private static Dataset<(Tensor, long)> Items(int n) =>
        new ListDataset<int>(Enumerable.Range(0, n).ToArray()).Map(i => (Tensor.From(new float[] { i, -i }, 2), (long)i));

    private static List<long[]> Labels<T>(IEnumerable<(Tensor, Tensor)> loader) => loader.Select(b => b.Item2.ToArray<long>()).ToList();

    [Fact]
    public void SequentialBatchesAndLastPartialBatch()
    {
        var loader = DataLoader.Create(Items(10), batchSize: 4);
        Assert.Equal(3, loader.Count);
        var batches = loader.ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.Item1.Size(0)));
        Assert.Equal([4, 2], batches[0].Item1.Shape);
        Assert.Equal([8f, -8f, 9f, -9f], batches[2].Item1.ToArray());
        Assert.Equal([8L, 9L], batches[2].Item2.ToArray<long>());
        Assert.Equal(DType.Int64, batches[0].Item2.DType);
    }

    [Fact]
    public void DropLastDropsTheShortBatch()
    {
        var loader = DataLoader.Create(Items(10), batchSize: 4, dropLast: true, numWorkers: 2);
        Assert.Equal(2, loader.Count);
        var labels = Labels<long>(loader);
        Assert.Equal(2, labels.Count);
        Assert.All(labels, l => Assert.Equal(4, l.Length));
        Assert.Equal(2, DataLoader.Create(Items(8), batchSize: 4, dropLast: true).Count());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void ShuffledOrderIsTheSameForAnyWorkerCount(int workers)
    {
        const ulong seed = 20240607;
        output.WriteLine($"seed {seed}, workers {workers}");
        var reference = Labels<long>(DataLoader.Create(Items(103), batchSize: 8, shuffle: true, seed: seed));
        var loader = DataLoader.Create(Items(103), batchSize: 8, shuffle: true, seed: seed, numWorkers: workers, prefetchFactor: 1);
        var got = Labels<long>(loader);
        Assert.Equal(reference.Count, got.Count);
        for (int b = 0; b < got.Count; b++)
            Assert.Equal(reference[b], got[b]);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), got.SelectMany(l => l).Order());
    }

    [Fact]
    public void EachEpochHasANewOrderThatResumingReproduces()
    {
        const ulong seed = 77;
        output.WriteLine($"seed {seed}");
        var loader = DataLoader.Create(Items(50), batchSize: 50, shuffle: true, seed: seed, numWorkers: 2);
        var e0 = Labels<long>(loader)[0];
        var e1 = Labels<long>(loader)[0];
        var e2 = Labels<long>(loader)[0];
        Assert.Equal(3, loader.Epoch);
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(e1, e2);
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), e0);

        var resumed = DataLoader.Create(Items(50), batchSize: 50, shuffle: true, seed: seed) ;
        resumed.Epoch = 2;
        Assert.Equal(e2, Labels<long>(resumed)[0]);
        Assert.Equal(e1.Select(l => (int)l), resumed.IndicesForEpoch(1));

        var otherSeed = DataLoader.Create(Items(50), batchSize: 50, shuffle: true, seed: seed + 1);
        Assert.NotEqual(e0, Labels<long>(otherSeed)[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void WorkerExceptionReachesTheConsumerWithTheBatchIndex(int workers)
    {
        var ds = new ListDataset<int>(Enumerable.Range(0, 40).ToArray())
            .Map(i => i == 21 ? throw new InvalidOperationException("bad item 21") : (Tensor.From([i], 1), (long)i));
        var loader = DataLoader.Create(ds, batchSize: 4, numWorkers: workers);
        var seen = new List<long>();
        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var (_, y) in loader)
                seen.AddRange(y.ToArray<long>());
        });
        output.WriteLine(e.Message);
        Assert.Equal(5, e.BatchIndex);
        Assert.True(workers == 0 ? e.WorkerId == -1 : e.WorkerId >= 0, $"worker id {e.WorkerId}");
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("batch 5", e.Message);
        Assert.Contains("bad item 21", e.Message);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), seen); // batches before the failing one arrive
    }

    [Fact]
    public void CancellationStopsTheEpoch()
    {
        using var cts = new CancellationTokenSource();
        var loader = DataLoader.Create(Items(1000), batchSize: 10, numWorkers: 3);
        int count = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in loader.Iterate(cts.Token))
                if (++count == 5) cts.Cancel();
        });
        Assert.Equal(5, count);
    }

    [Fact]
    public void BreakingOutEarlyStopsWorkersAndLaterEpochsStillRun()
    {
        var loader = DataLoader.Create(Items(1000), batchSize: 10, numWorkers: 2);
        foreach (var _ in loader) break;
        Assert.Equal(100, loader.Count());
    }

    [Fact]
    public void PrefetchIsBounded()
    {
        int loaded = 0;
        var ds = new ListDataset<int>(Enumerable.Range(0, 200).ToArray()).Map(i => { Interlocked.Increment(ref loaded); return Tensor.From([i], 1); });
        var loader = DataLoader.Create(ds, batchSize: 1, numWorkers: 2, prefetchFactor: 3);
        using var e = loader.GetEnumerator();
        Assert.True(e.MoveNext());
        Thread.Sleep(200);
        // At most NumWorkers × PrefetchFactor batches are in flight besides the one handed out.
        Assert.InRange(Volatile.Read(ref loaded), 1, 1 + 2 * 3);
    }

    [Fact]
    public void CustomCollateAndTensorDataset()
    {
        var ds = new TensorDataset(Tensor.Arange(10).Reshape(5, 2), Tensor.Arange(5));
        var batches = DataLoader.Create(ds, batchSize: 2).ToList();
        Assert.Equal([2, 2], batches[0][0].Shape);
        Assert.Equal([4L, 5, 6, 7], batches[1][0].ToArray<long>());
        var sums = DataLoader.Create(ds, items => items.Sum(t => t[1].Item<long>()), batchSize: 2).ToList();
        Assert.Equal([1L, 5, 4], sums);
    }

    [Fact]
    public void IterableDatasetBatchesInStreamOrder()
    {
        var stream = IterableDataset<Tensor>.From(() => Enumerable.Range(0, 7).Select(i => Tensor.From([(long)i], 1)));
        foreach (int workers in new[] { 0, 1 })
        {
            var loader = new DataLoader<Tensor, Tensor>(stream, Collate.Default, batchSize: 3, numWorkers: workers);
            Assert.Equal([3, 3, 1], loader.Select(b => b.Size(0)));
            Assert.Equal([0L, 1, 2, 3, 4, 5, 6], loader.SelectMany(b => b.ToArray<long>()));
            var dropping = new DataLoader<Tensor, Tensor>(stream, Collate.Default, batchSize: 3, dropLast: true, numWorkers: workers);
            Assert.Equal(2, dropping.Count());
        }
    }

    [Fact]
    public void RandomTransformsAreReproducibleForAnyWorkerCount()
    {
        const ulong seed = 99;
        output.WriteLine($"seed {seed}");
        var flip = new RandomHorizontalFlip(0.5);
        var crop = new RandomCrop(4, padding: 1);
        var ds = new ListDataset<int>(Enumerable.Range(0, 64).ToArray())
            .Map(i => crop.Apply(flip.Apply(Tensor.Arange(16, DType.Float32).Reshape(1, 4, 4).Add(i))));
        float[] Run(int workers) => DataLoader.Create(ds, batchSize: 8, shuffle: true, seed: seed, numWorkers: workers)
            .SelectMany(b => b.ToArray()).ToArray();
        var w0 = Run(0);
        Assert.Equal(w0, Run(1));
        Assert.Equal(w0, Run(3));
    }
}
