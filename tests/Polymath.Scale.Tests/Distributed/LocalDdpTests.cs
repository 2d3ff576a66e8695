using Polymath.Scale.Distributed;
using Polymath.Scale.MpiWorker;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>Data-parallel training with ranks as threads of this process (LocalCommunicator): the same code as over MPI.</summary>
public sealed class LocalDdpTests
{
    /// <summary>Runs <paramref name="body"/> on one thread per rank and returns each rank's result (rethrowing a rank's exception).</summary>
    internal static T[] RunRanks<T>(int size, Func<ICommunicator, T> body, TimeSpan? timeout = null)
    {
        var comms = LocalCommunicator.CreateGroup(size, timeout ?? TimeSpan.FromSeconds(20));
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try
            {
                results[r] = body(comms[r]);
            }
            catch (Exception e)
            {
                errors[r] = e;
            }
            finally
            {
                comms[r].Dispose();
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a rank thread hung");
        if (errors.FirstOrDefault(e => e is not null) is { } first)
            throw new AggregateException(errors.Where(e => e is not null)!);
        return results;
    }

    [Theory]
    [InlineData(2, true, 25.0)]
    [InlineData(3, true, 0.0005)]   // tiny buckets: one per parameter, launched while backward runs
    [InlineData(2, false, 0.0005)]  // reduce after backward
    public void NRanksWithBatchBMatchOneRankWithBatchNB(int ranks, bool overlap, double bucketMB)
    {
        int global = 24;
        var serial = Recipe.TrainSerial(global, epochs: 2);
        var dist = RunRanks(ranks, c => Recipe.TrainDistributed(c, global / ranks, 2, new DdpOptions { Overlap = overlap, BucketCapMB = bucketMB }));
        for (int r = 1; r < ranks; r++)
            Assert.Equal(dist[0], dist[r]); // replicas bit-identical
        Assert.Equal(serial.Length, dist[0].Length);
        double maxDiff = serial.Zip(dist[0], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 2e-5, $"max |serial - distributed| = {maxDiff}");
        // And the run did train: the weights moved away from the initialisation.
        var init = Recipe.Weights(Recipe.Model(1));
        Assert.True(serial.Zip(init, (a, b) => Math.Abs(a - b)).Max() > 0.05);
    }
}
