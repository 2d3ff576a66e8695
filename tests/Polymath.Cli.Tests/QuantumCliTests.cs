using System.Text.Json.Nodes;
using Polymath.Cli;
using Polymath.Quantum;
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
    public void Complex64RunsGiveOnlyTheBellOutcomes()
    {
        var (code, output, err) = CliRunner.Run("quantum", "run", Write("bell.qasm", Bell), "--shots", "500", "--precision", "complex64", "--json");
        Assert.True(code == 0, err);
        var counts = JsonNode.Parse(output)!["counts"]!.AsObject();
        Assert.Equal(500, counts.Sum(kv => (int)kv.Value!));
        Assert.All(counts, kv => Assert.Contains(kv.Key, new[] { "00", "11" }));
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

    [Fact]
    public void GroverReportsTheFormulaAndFindsTheMarkedState()
    {
        var (code, output, err) = CliRunner.Run("quantum", "grover", "--qubits", "8", "--marked", "77", "--shots", "200");
        Assert.True(code == 0, err);
        Assert.Contains("12 iterations", output);                       // floor(π/(4·asin(1/16)))
        double expected = Algorithms.GroverSuccessProbability(8, 1, 12);
        Assert.Contains($"success probability  {expected.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}", output);
        Assert.Contains(Polymath.Quantum.StateVector.ToBitString(77, 8), output);
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "grover", "--qubits", "3", "--marked", "9").Code);
    }

    [Fact]
    public void ShorFactorsTwentyOne()
    {
        var (code, output, err) = CliRunner.Run("quantum", "shor", "21");
        Assert.True(code == 0, err);
        Assert.Contains("21 = 3 x 7", output);
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "shor", "13").Code);   // prime
        Assert.Equal(Program.UsageError, CliRunner.Run("quantum", "shor").Code);
    }

    [Fact]
    public void EvolveTracksTheExactEvolutionAndWritesAPlot()
    {
        string svg = Path.Combine(_dir, "plot.svg");
        var (code, output, err) = CliRunner.Run("quantum", "evolve", "--model", "tfim", "--qubits", "6", "--field", "1.0", "--time", "1", "--steps", "40", "--out", svg);
        Assert.True(code == 0, err);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.TrimStart().StartsWith("1.0000"));
        var f = last.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(Math.Abs(f[1] - f[2]) < 1e-3, last);                // <Z>: second-order Trotter with dt = 0.025
        Assert.True(f[5] > 0.9999, last);                               // fidelity with the exact state
        Assert.StartsWith("<svg", File.ReadAllText(svg));
        Assert.Contains("</svg>", File.ReadAllText(svg));
    }

    [Fact]
    public void NoiseSpreadsTheBellOutcomesAndABadSpecIsAUsageError()
    {
        var (code, output, err) = CliRunner.Run("quantum", "run", Write("bell.qasm", Bell), "--shots", "4000", "--noise", "depolarizing:0.1", "--json");
        Assert.True(code == 0, err);
        var counts = JsonNode.Parse(output)!["counts"]!.AsObject();
        Assert.True(counts.ContainsKey("01") || counts.ContainsKey("10"));
        var (bad, _, badErr) = CliRunner.Run("quantum", "run", Write("bell.qasm", Bell), "--noise", "depolarising:0.1");
        Assert.Equal(Program.UsageError, bad);
        Assert.Contains("depolarising", badErr);
    }
}
