using Polymath.Scale.Distributed;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>
/// <c>polymath train --nproc 2 --hostfile F</c> with a real Open MPI host file naming this machine trains like the run
/// without one; bad host files are usage errors naming the file and line before mpirun starts.
/// </summary>
public sealed class HostFileTests
{
    private static readonly string[] Common = ["train", "--model", "mlp", "--epochs", "1", "--limit", "256", "--optimizer", "sgd", "--lr", "0.05",
        "--scheduler", "none", "--progress", "none", "--threads", "1", "--seed", "5", "--batch-size", "32", "--nproc", "2"];

    [MpiMnistFact]
    public void TwoRanksPlacedByAHostFileOnThisMachineTrainLikeTheRunWithoutOne()
    {
        using var dir = CliRun.Temp("polymath-hostfile");
        string hosts = dir["hosts.txt"];
        File.WriteAllText(hosts, "# this machine, two ranks\nlocalhost slots=2\n");
        var with = TrainNprocTests.Polymath([.. Common, "--hostfile", hosts, "--out", dir["with"]]);
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Contains($"--hostfile {hosts}", with.Stderr); // the mpirun line it ran
        Assert.Single(with.Stdout.Split('\n'), l => l.Contains("rank 0 of 2") && l.Contains("global batch 64"));
        var without = TrainNprocTests.Polymath([.. Common, "--out", dir["without"]]);
        Assert.True(without.ExitCode == 0, without.ToString());
        Assert.DoesNotContain("--hostfile", without.Stderr);
        // Same ranks, same shards, same collectives: the transports differ (host file: Open MPI's default
        // selection; without: shared memory only) but the sums are the same.
        double diff = CliRun.MaxModelDifference(dir["with/last.safetensors"], dir["without/last.safetensors"]);
        Assert.True(diff < 1e-6, $"max |with host file - without| = {diff}");
    }

    [Theory]
    [InlineData("localhost slots=1\n", 2, "1 slot(s) in all (line 1: localhost slots=1) but 2 ranks were requested")]
    [InlineData("# hosts\n\nlocalhost slots=1\nlocalhost slots=two\n", 4, ":4: 'slots=two' is not slots=N")]
    [InlineData("localhost slots=2 cores=4\n", 2, ":1: unknown token 'cores=4' after host 'localhost'")]
    [InlineData("slots=2\n", 2, ":1: 'slots=2' does not start with a host name")]
    [InlineData("# nothing but a comment\n", 2, "names no host")]
    public void ABadHostFileIsAUsageErrorNamingTheFileAndLineBeforeMpirunStarts(string content, int nproc, string expected)
    {
        using var dir = CliRun.Temp("polymath-hostfile-bad");
        string hosts = dir["hosts.txt"];
        File.WriteAllText(hosts, content);
        var r = TrainNprocTests.Polymath(["train", "--model", "mlp", "--nproc", nproc.ToString(System.Globalization.CultureInfo.InvariantCulture), "--hostfile", hosts, "--out", dir["out"]]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--hostfile: {hosts}", r.Stderr);
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("starting", r.Stderr); // mpirun was not started
    }

    [Fact]
    public void TheParserSumsSlotsOverLinesAndLeavesTheTotalOpenWhenALineGivesNone()
    {
        using var dir = CliRun.Temp("polymath-hostfile-parse");
        string f = dir["h"];
        File.WriteAllText(f, "node1 slots=4 max_slots=8  # comment\n\nnode2 slots=2\nnode1 max-slots=2 slots=1\n");
        var h = HostFile.Read(f);
        Assert.Equal(["node1", "node2", "node1"], h.Entries.Select(e => e.Host));
        Assert.Equal([1, 3, 4], h.Entries.Select(e => e.Line));
        Assert.Equal(7, h.TotalSlots);
        Assert.Same(h.Path, HostFile.Check(f, 7).Path);
        Assert.Throws<InvalidDataException>(() => HostFile.Check(f, 8));
        File.WriteAllText(f, "node1\nnode2 slots=1\n");
        Assert.Null(HostFile.Read(f).TotalSlots); // Open MPI decides node1's slots: no check of the total
        HostFile.Check(f, 64);
        File.WriteAllText(f, "node1 slots=4 max_slots=2\n");
        Assert.Contains(":1: slots=4 exceeds max_slots=2", Assert.Throws<InvalidDataException>(() => HostFile.Read(f)).Message);
        Assert.Throws<FileNotFoundException>(() => HostFile.Read(dir["missing"]));
    }
}
