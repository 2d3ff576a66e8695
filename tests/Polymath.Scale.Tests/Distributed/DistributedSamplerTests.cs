using Polymath.Data;
using Polymath.Scale.Distributed;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>Shards: disjoint, covering, equal-sized, new each epoch, and matching the single-process loader's batches.</summary>
public sealed class DistributedSamplerTests
{
    [Theory]
    [InlineData(96, 3)]
    [InlineData(100, 3)] // padded: 34 each, two items appear twice
    [InlineData(7, 2)]
    public void ShardsCoverTheDataWithoutOverlapAndHaveEqualSizes(int n, int world)
    {
        var samplers = Enumerable.Range(0, world).Select(r => new DistributedSampler(n, r, world, shuffle: true, seed: 5)).ToArray();
        var all = samplers.SelectMany(s => s.IndicesForEpoch(0)).ToList();
        int per = (n + world - 1) / world;
        Assert.All(samplers, s => Assert.Equal(per, s.IndicesForEpoch(0).Length));
        Assert.Equal(Enumerable.Range(0, n), all.Distinct().Order());     // every item is visited
        Assert.Equal(per * world - n, all.Count - all.Distinct().Count()); // only the padding repeats
        // dropLast: disjoint, n / world each.
        var dropped = Enumerable.Range(0, world).SelectMany(r => new DistributedSampler(n, r, world, seed: 5, dropLast: true).IndicesForEpoch(0)).ToList();
        Assert.Equal(n / world * world, dropped.Count);
        Assert.Equal(dropped.Count, dropped.Distinct().Count());
        // A new epoch, a new split.
        Assert.NotEqual(samplers[0].IndicesForEpoch(0), samplers[0].IndicesForEpoch(1));
    }

    [Fact]
    public void RanksBatchesTogetherAreTheSingleProcessLoadersBatch()
    {
        const int n = 48, world = 3, b = 4;
        var data = new ListDataset<int>(Enumerable.Range(0, n).ToList());
        var serial = new DataLoader<int, int[]>(data, items => items.ToArray(), batchSize: world * b, shuffle: true, seed: 77);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            serial.Epoch = epoch;
            var serialBatches = serial.ToList();
            var rankBatches = Enumerable.Range(0, world).Select(r =>
            {
                var s = new DistributedSampler(n, r, world, shuffle: true, seed: 77) { Epoch = epoch };
                return new DataLoader<int, int[]>(s.Shard<int>(data), items => items.ToArray(), batchSize: b).ToList();
            }).ToArray();
            for (int k = 0; k < serialBatches.Count; k++)
                Assert.Equal(serialBatches[k].Order(), rankBatches.SelectMany(rb => rb[k]).Order());
        }
    }

    [Fact]
    public void BadArgumentsNameTheProblem()
    {
        Assert.Contains("rank 2 is outside a world of 2", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 2, 2)).Message);
        Assert.Contains("worldSize must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 0, 0)).Message);
        Assert.Contains("3 items cannot be split between 4 ranks", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(3, 0, 4, dropLast: true)).Message);
        var s = new DistributedSampler(10, 0, 2);
        Assert.Contains("has 9 items, the sampler was made for 10", Assert.Throws<ArgumentException>(() => s.Shard(new ListDataset<int>(new int[9]))).Message);
    }
}
