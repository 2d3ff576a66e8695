using System.Text.Json.Nodes;
using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath quantum</c> as a user meets it: counts, JSON, final states, and errors with line and column.</summary>
[Collection("console")]
public sealed class QuantumCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-quantum-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Bell = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n";

    [Fact]
    public void RunPrintsAHistogramOfOnlyTheBellOutcomes()
    {
        var (code, output, err) = CliRunner.Run("quantum", "run", Write("bell.qasm", Bell), "--shots", "2000", "--seed", "3");
        Assert.True(code == 0, err);
        var rows = output.Split('\n').Where(l => l.TrimStart().StartsWith("00") || l.TrimStart().StartsWith("11") || l.TrimStart().StartsWith("01") || l.TrimStart().StartsWith("10")).ToList();
        Assert.Equal(2, rows.Count);
        int n00 = int.Parse(rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        int n11 = int.Parse(rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(2000, n00 + n11);
        Assert.InRange(n00, 1000 - 5 * 23, 1000 + 5 * 23);   // binomial(2000, 1/2): σ ≈ 22.4
    }

    [Fact]
    public void JsonHasCountsAndTheStateBeforeMeasurement()
    {
        var (code, output, err) = CliRunner.Run("quantum", "run", Write("bell.qasm", Bell), "--shots", "100", "--json", "--statevector");
        Assert.True(code == 0, err);
        var o = JsonNode.Parse(output)!.AsObject();
        var counts = o["counts"]!.AsObject();
        Assert.Equal(100, counts.Sum(kv => (int)kv.Value!));
        Assert.All(counts, kv => Assert.Contains(kv.Key, new[] { "00", "11" }));
        var sv = o["statevector"]!.AsArray();
        Assert.Equal(4, sv.Count);
        Assert.Equal(Math.Sqrt(0.5), (double)sv[0]![0]!, 12);
        Assert.Equal(Math.Sqrt(0.5), (double)sv[3]![0]!, 12);
        Assert.Equal(0.0, (double)sv[1]![0]!, 12);
    }

    [Fact]
    public void ACircuitWithoutMeasureHasEveryQubitSampled()
    {
        var (code, output, _) = CliRunner.Run("quantum", "run", Write("x.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\nx q[1];\n"), "--shots", "10");
        Assert.Equal(0, code);
        Assert.Contains("all qubits sampled", output);
        Assert.Contains("010", output);
    }

    [Theory]
    [InlineData("qreg q[2];\nfoo q[0];\n", "line 4, column 1", "unknown gate")]
    [InlineData("qreg q[2];\ncx q[0];\n", "line 4", "qubit")]
    [InlineData("qreg q[2];\nh r[0];\n", "line 4", "r")]
    [InlineData("qreg q[2];\nh q[5];\n", "line 4", "5")]
    [InlineData("qreg q[2];\nu3(0.1, 0.2 q[0];\n", "line 4", "")]
    public void MalformedQasmNamesLineAndColumnWithoutAStackTrace(string body, string where, string what)
    {
        var (code, _, err) = CliRunner.Run("quantum", "run", Write("bad.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n" + body));
        Assert.Equal(1, code);
        Assert.Contains(where, err);
        Assert.Contains(what, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void MissingFileAndMissingArgumentAreUsageErrors()
    {
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "run", Path.Combine(_dir, "nope.qasm")).Code);
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "run").Code);
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "frobnicate").Code);
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "run", Write("b.qasm", Bell), "--shots", "-1").Code);
    }
}
