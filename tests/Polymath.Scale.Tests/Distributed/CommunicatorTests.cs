using Polymath.Scale.Distributed;
using Polymath.Scale.MpiWorker;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>The in-process communicator's collectives against serial loops, and its failure modes.</summary>
public sealed class CommunicatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CollectivesMatchSerialReferences(int size)
    {
        // The same checks the MPI worker runs (odd sizes, float/double/long/int, max/min, broadcast, all-gather, sub-range).
        LocalDdpTests.RunRanks(size, c =>
        {
            Checks.AllReduce(c);
            return 0;
        });
    }

    [Fact]
    public void LocalSumsAreBitIdenticalToARankOrderLoop()
    {
        var results = LocalDdpTests.RunRanks(3, c =>
        {
            var v = Enumerable.Range(0, 101).Select(i => Checks.Value(c.Rank, i)).ToArray();
            c.AllReduce(v);
            return v;
        });
        for (int i = 0; i < 101; i++)
        {
            float serial = Checks.Value(0, i) + Checks.Value(1, i) + Checks.Value(2, i);
            Assert.Equal(serial, results[0][i]);
            Assert.Equal(results[0][i], results[2][i]);
        }
    }

    [Fact]
    public void ARankThatStopsCallingCollectivesMakesTheOthersTimeOut()
    {
        var comms = LocalCommunicator.CreateGroup(2, TimeSpan.FromMilliseconds(300));
        try
        {
            var e = Assert.Throws<CommunicatorTimeoutException>(() => comms[0].AllReduce(new float[5]));
            Assert.Contains("rank 0 of 2 (local)", e.Message);
            Assert.Contains("did not complete within 0.3 s", e.Message);
            // The communicator is unusable afterwards, and says why.
            var again = Assert.Throws<CommunicatorException>(() => comms[0].Barrier());
            Assert.Contains("failed earlier", again.Message);
        }
        finally
        {
            comms[0].Dispose();
            comms[1].Dispose();
        }
    }

    [Fact]
    public void DisagreementAndBadArgumentsAreReportedWithTheValues()
    {
        var e = Assert.Throws<AggregateException>(() => LocalDdpTests.RunRanks(2, c => c.AgreeOn(c.Rank == 0 ? 60000 : 59999, "the number of training items")));
        Assert.Contains("rank 0 has 60000, rank 1 has 59999", e.InnerExceptions[0].Message);
        using var single = new LocalCommunicator();
        Assert.Throws<ArgumentException>(() => single.AllReduce(new float[4], 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => single.Broadcast(new float[4], root: 1));
        Assert.Throws<ArgumentException>(() => single.AllReduce(new decimal[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalCommunicator.CreateGroup(0));
    }
}
