using Polymath.Scale.Distributed;
using Polymath.Scale.MpiWorker;
using Polymath.Training;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>Real Open MPI jobs (mpirun with 2 and 3 ranks on this host) running the worker's modes.</summary>
public sealed class MpiTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [MpiTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void AllReduceEqualsTheSerialSumForOddSizes(int np)
    {
        var r = MpiRun.Worker_(np, Limit, null, "allreduce");
        Assert.True(r.ExitCode == 0, r.ToString());
        for (int rank = 0; rank < np; rank++)
            Assert.Contains($"rank {rank} of {np}: allreduce OK", r.Stdout);
        // Debian's Open MPI grants MPI_THREAD_SERIALIZED (or more), so the sizes up to 64 KiB took the inline path
        // and the larger ones the communication thread: both are checked above.
        Assert.Matches(@"rank 0: thread level [23], inline collectives on up to 65536 bytes", r.Stdout);
    }

    [MpiFact]
    public void ARankThatStallsMakesTheOthersTimeOutInAnInlineCollectiveToo()
    {
        var r = MpiRun.Worker_(2, Limit, new Dictionary<string, string> { ["POLYMATH_DIST_TIMEOUT"] = "3" }, "stall-inline");
        Assert.False(r.TimedOut, "the job hung: " + r);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("rank 0: CommunicatorTimeoutException", r.Stderr);
        Assert.Contains("all-reduce (Sum) of 1 Single values did not complete within 3 s", r.Stderr);
    }

    [MpiTheory]
    [InlineData(2, "1", "0.0005")]
    [InlineData(3, "1", "25")] // reduce-after-backward (overlap off) is covered in-process by LocalDdpTests
    public void NRanksWithBatchBGiveTheWeightsOfOneRankWithBatchNB(int np, string overlap, string bucketMB)
    {
        string out_ = Path.Combine(Path.GetTempPath(), $"polymath-ddp-{Guid.NewGuid():N}.bin");
        try
        {
            const int global = 24;
            var r = MpiRun.Worker_(np, Limit, null, "ddp", (global / np).ToString(System.Globalization.CultureInfo.InvariantCulture), "2", out_, overlap, bucketMB);
            Assert.True(r.ExitCode == 0, r.ToString());
            var bytes = File.ReadAllBytes(out_);
            var dist = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, dist, 0, bytes.Length);
            var serial = Recipe.TrainSerial(global, epochs: 2);
            Assert.Equal(serial.Length, dist.Length);
            double maxDiff = serial.Zip(dist, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff < 2e-5, $"max |serial - distributed| = {maxDiff}");
        }
        finally
        {
            File.Delete(out_);
        }
    }

    [MpiFact]
    public void ARankThatDiesEndsTheJobAndLeavesTheLastCheckpointIntact()
    {
        string ckpt = Path.Combine(Path.GetTempPath(), $"polymath-ddp-crash-{Guid.NewGuid():N}.safetensors");
        try
        {
            var r = MpiRun.Worker_(3, Limit, null, "crash", ckpt);
            Assert.False(r.TimedOut, "the job hung after a rank died: " + r);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("injected crash", r.Stderr);
            // Rank 0 checkpointed after steps 1..5 at most (rank 1 died before step 5's all-reduce could finish);
            // the file on disk is a whole checkpoint that loads into the model.
            var info = Checkpoint.ReadInfo(ckpt);
            Assert.InRange(info.Step, 4, 5);
            var model = Recipe.Model(99);
            Checkpoint.Load(ckpt, model);
        }
        finally
        {
            File.Delete(ckpt);
        }
    }

    [MpiFact]
    public void ARankThatStallsMakesTheOthersFailAfterTheTimeoutInsteadOfHanging()
    {
        var r = MpiRun.Worker_(2, Limit, new Dictionary<string, string> { ["POLYMATH_DIST_TIMEOUT"] = "3" }, "stall");
        Assert.False(r.TimedOut, "the job hung: " + r);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("rank 0: CommunicatorTimeoutException", r.Stderr);
        Assert.Contains("did not complete within 3 s", r.Stderr);
    }

    [MpiFact]
    public void RanksWithDifferentModelsFailWithAMessageSayingHow()
    {
        var r = MpiRun.Worker_(2, Limit, null, "mismatch");
        Assert.False(r.TimedOut, r.ToString());
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("the replicas differ: rank 0 has 4 parameters with 259 elements, rank 1 has 4 with 323", r.Stderr);
    }
}
