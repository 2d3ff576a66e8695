using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Quantum;

namespace Polymath.Cli;

/// <summary><c>polymath quantum</c>: run OpenQASM circuits and the textbook algorithms on the state-vector simulator.</summary>
internal static partial class QuantumCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length == 0 || (Program.WantsHelp(argv) && (argv.Length == 1 || argv[0].StartsWith('-'))))
        {
            Help.Command("quantum");
            return argv.Length == 0 ? Program.UsageError : 0;
        }
        string sub = argv[0];
        var rest = argv[1..];
        if (Program.WantsHelp(rest))
        {
            Help.Command("quantum");
            return 0;
        }
        return sub switch
        {
            "run" => RunQasm(rest, cancel),
            _ => SubCommand(sub, rest, cancel),
        };
    }

    internal static readonly string[] RunOptions = ["--shots", "--seed", "--noise", "--statevector", "--json", "--threads", "--precision"];

    /// <summary><c>quantum run FILE.qasm</c>: counts as a text histogram (or JSON), optionally the final state.</summary>
    private static int RunQasm(string[] argv, CancellationToken cancel)
    {
        var args = new Args("quantum", argv);
        int shots = args.Int("--shots", 0, 100_000_000) ?? 4096;
        int seed = args.Int("--seed", int.MinValue, int.MaxValue) ?? 7;
        string? noise = args.Value("--noise");
        bool showState = args.Flag("--statevector");
        bool json = args.Flag("--json");
        int? threads = args.Int("--threads", 1, 1024);
        var precision = ParsePrecision(args.Value("--precision"));
        var files = args.TakePositionals();
        if (files.Count == 0) throw new UsageException("quantum run needs an OpenQASM 2.0 file: polymath quantum run circuit.qasm", "quantum");
        if (files.Count > 1) throw new UsageException($"quantum run takes one file, got {files.Count}: {string.Join(", ", files)}.", "quantum");
        string file = files[0];
        args.End(RunOptions);
        if (threads is int t) QuantumThreads.Count = t;
        if (!File.Exists(file)) throw new UsageException($"file '{file}' does not exist.", "quantum");

        Circuit circuit;
        try { circuit = Qasm.Load(file); }
        catch (QasmException e)
        {
            Console.Error.WriteLine($"polymath: {file}: {e.Message}");
            return 1;
        }
        cancel.ThrowIfCancellationRequested();
        var result = Execute(circuit, shots, seed, noise, precision);
        StateVector? final = showState ? FinalState(circuit, precision) : null;
        if (json)
        {
            var o = new JsonObject
            {
                ["file"] = file,
                ["qubits"] = circuit.NumQubits,
                ["clbits"] = circuit.NumClbits,
                ["shots"] = shots,
                ["seed"] = seed,
                ["noise"] = noise,
                ["measured"] = result.MeasuredAll ? "all qubits (the circuit has no measure)" : "classical register",
                ["counts"] = new JsonObject(result.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            };
            if (final is not null)
                o["statevector"] = new JsonArray(final.ToArray().Select(a => (JsonNode)new JsonArray(a.Real, a.Imaginary)).ToArray());
            Console.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"polymath quantum run: {file}: {circuit.NumQubits} qubits, {circuit.NumClbits} classical bits, {circuit.Size} instructions, depth {circuit.Depth()}");
        Console.WriteLine($"  {shots} shots, seed {seed}{(noise is null ? "" : $", noise {noise}")}{(result.MeasuredAll ? "; no measure in the circuit: all qubits sampled" : "")}");
        Console.Write(Histogram(result.Counts, shots));
        if (final is not null) Console.Write(FormatState(final));
        return 0;
    }

    private static Precision ParsePrecision(string? s) => s?.ToLowerInvariant() switch
    {
        null or "complex128" or "c128" or "double" => Precision.Complex128,
        "complex64" or "c64" or "single" => Precision.Complex64,
        _ => throw new UsageException($"unknown precision '{s}'; valid: complex128, complex64.", "quantum"),
    };

    internal sealed record RunResult(Dictionary<string, int> Counts, bool MeasuredAll);

    /// <summary>Counts from the circuit, or from measuring every qubit at the end when it never measures.</summary>
    internal static RunResult Execute(Circuit circuit, int shots, int seed, string? noise, Precision precision)
    {
        bool measures = circuit.Instructions.Any(i => i.IsMeasurement);
        if (!measures)
        {
            var m = new Circuit(circuit.NumQubits, circuit.NumQubits).Compose(circuit);
            for (int q = 0; q < circuit.NumQubits; q++) m.Measure(q, q);
            circuit = m;
        }
        var counts = RunWithNoise(circuit, shots, seed, noise, precision);
        return new RunResult(counts, !measures);
    }

    /// <summary>The state before the final measurements (a circuit that measures mid-way has no single final state).</summary>
    private static StateVector FinalState(Circuit circuit, Precision precision)
    {
        var unitary = new Circuit(circuit.NumQubits) { GlobalPhase = circuit.GlobalPhase };
        var measured = new HashSet<int>();
        foreach (var ins in circuit.Instructions)
        {
            if (ins.Kind == InstructionKind.Barrier) continue;
            if (ins.IsMeasurement) { measured.Add(ins.Qubits[0]); continue; }
            if (!ins.IsUnitary)
                throw new UsageException($"--statevector needs a circuit whose only non-unitary steps are final measurements; it has '{ins}'.", "quantum");
            if (ins.Qubits.Any(measured.Contains))
                throw new UsageException("--statevector needs every measurement at the end; this circuit measures a qubit and then uses it.", "quantum");
            unitary.Append(ins.Gate!, [.. ins.Qubits]);
        }
        var s = new StateVector(circuit.NumQubits, precision);
        unitary.ApplyTo(s);
        return s;
    }

    /// <summary>One line per outcome, sorted by bit string: the count, its frequency and a bar scaled to the largest.</summary>
    internal static string Histogram(IReadOnlyDictionary<string, int> counts, int shots, int maxRows = 64)
    {
        var sb = new System.Text.StringBuilder();
        if (counts.Count == 0) return "  (no shots)\n";
        int max = counts.Values.Max();
        var rows = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (rows.Count > maxRows)
        {
            sb.AppendLine($"  {rows.Count} distinct outcomes; the {maxRows} most frequent:");
            rows = rows.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(maxRows)
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        }
        int width = Math.Max(7, rows.Max(kv => kv.Key.Length));
        sb.AppendLine($"  {"outcome".PadRight(width)}  {"count",8}  {"freq",7}");
        foreach (var (key, n) in rows)
        {
            int bar = (int)Math.Round(40.0 * n / max);
            sb.AppendLine($"  {key.PadRight(width)}  {n,8}  {(double)n / shots,7:F4}  {new string('#', bar)}");
        }
        return sb.ToString();
    }

    private static string FormatState(StateVector s)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("final state (amplitudes with |a| > 1e-9, qubit 0 rightmost):");
        int shown = 0;
        for (long i = 0; i < s.Dimension && shown < 256; i++)
        {
            Complex a = s[i];
            if (a.Magnitude <= 1e-9) continue;
            sb.AppendLine($"  |{StateVector.ToBitString(i, s.NumQubits)}>  {a.Real.ToString("+0.000000;-0.000000", Inv)} {a.Imaginary.ToString("+0.000000;-0.000000", Inv)}i   p = {(a.Magnitude * a.Magnitude).ToString("F6", Inv)}");
            shown++;
        }
        if (shown == 256) sb.AppendLine("  ... (first 256 shown)");
        return sb.ToString();
    }
}
