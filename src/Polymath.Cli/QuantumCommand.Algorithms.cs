using System.Globalization;
using System.Numerics;
using Polymath.Quantum;
using Polymath.Training;

namespace Polymath.Cli;

// polymath quantum grover | shor | evolve, and the noise option of run.
internal static partial class QuantumCommand
{
    private static int SubCommand(string sub, string[] argv, CancellationToken cancel) => sub switch
    {
        "grover" => Grover(argv),
        "shor" => Shor(argv),
        "evolve" => Evolve(argv, cancel),
        _ => throw new UsageException($"unknown quantum command '{sub}'. Commands: run, grover, shor, evolve.", "quantum"),
    };

    private static Dictionary<string, int> RunWithNoise(Circuit circuit, int shots, int seed, string? noise, Precision precision)
    {
        if (noise is null) return Simulator.Run(circuit, shots, seed, precision);
        NoiseModel model;
        try { model = NoiseModel.Parse(noise); }
        catch (FormatException e) { throw new UsageException($"--noise: {e.Message}", "quantum"); }
        return Simulator.RunNoisy(circuit, shots, seed, model);
    }

    /// <summary><c>quantum grover --qubits N --marked M[,M...]</c>: the search with the optimal iteration count, measured success vs formula.</summary>
    private static int Grover(string[] argv)
    {
        var args = new Args("quantum", argv);
        int n = args.Int("--qubits", 1, 30) ?? throw new UsageException("quantum grover needs --qubits N.", "quantum");
        string markedText = args.Value("--marked") ?? throw new UsageException("quantum grover needs --marked M[,M...] (basis-state indices).", "quantum");
        int shots = args.Int("--shots", 0, 100_000_000) ?? 4096;
        int seed = args.Int("--seed", int.MinValue, int.MaxValue) ?? 7;
        int? iterations = args.Int("--iterations", 0, 1_000_000);
        args.End(["--qubits", "--marked", "--shots", "--seed", "--iterations"]);
        var marked = new SortedSet<long>();
        foreach (var part in markedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.Integer, Inv, out long m) || m < 0 || m >= 1L << n)
                throw new UsageException($"--marked: '{part}' is not a basis state of {n} qubits (0 to {(1L << n) - 1}).", "quantum");
            marked.Add(m);
        }
        if (marked.Count == 0) throw new UsageException("--marked lists no state.", "quantum");
        if (marked.Count >= 1L << n) throw new UsageException("--marked lists every state: there is nothing to search for.", "quantum");
        int k = iterations ?? Algorithms.GroverIterations(n, marked.Count);
        var circuit = Algorithms.Grover(n, marked, k);
        var state = Simulator.Statevector(circuit);
        double success = marked.Sum(m => { var a = state[m]; return a.Real * a.Real + a.Imaginary * a.Imaginary; });
        double theory = Algorithms.GroverSuccessProbability(n, marked.Count, k);
        Console.WriteLine($"polymath quantum grover: {n} qubits, {marked.Count} marked of {1L << n}, {k} iterations{(iterations is null ? " (optimal: floor(pi / (4 theta)))" : "")}, {circuit.Size} gates");
        Console.WriteLine($"  success probability  {success.ToString("F6", Inv)}   formula sin^2((2k+1) theta) = {theory.ToString("F6", Inv)}   theta = {Algorithms.GroverAngle(n, marked.Count).ToString("F6", Inv)}");
        var counts = state.SampleCounts(shots, seed);
        int hits = counts.Where(kv => marked.Contains(Convert.ToInt64(kv.Key, 2))).Sum(kv => kv.Value);
        Console.WriteLine($"  {shots} shots (seed {seed}): {hits} found a marked state ({((double)hits / Math.Max(1, shots)).ToString("F4", Inv)})");
        Console.Write(Histogram(counts, shots, maxRows: 16));
        return 0;
    }

    /// <summary><c>quantum shor N</c>: order finding with modular-exponentiation circuits, then the factors.</summary>
    private static int Shor(string[] argv)
    {
        var args = new Args("quantum", argv);
        int seed = args.Int("--seed", int.MinValue, int.MaxValue) ?? 1;
        int attempts = args.Int("--attempts", 1, 1000) ?? 12;
        var rest = args.TakePositionals();
        args.End(["--seed", "--attempts"]);
        if (rest.Count != 1 || !long.TryParse(rest[0], NumberStyles.Integer, Inv, out long n))
            throw new UsageException("quantum shor needs one integer N: polymath quantum shor 21", "quantum");
        ShorResult r;
        try { r = Algorithms.Shor.Factor(n, seed, attempts); }
        catch (ArgumentException e) { throw new UsageException(e.Message, "quantum"); }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"polymath: {e.Message}");
            return 1;
        }
        Console.WriteLine($"polymath quantum shor: N = {n}, seed {seed}: {r.NumQubits} qubits (Beauregard, one recycled control), {r.GateCount} gates per order-finding run");
        foreach (var a in r.Attempts)
            Console.WriteLine($"  a = {a.Base,-4} {(a.Measured is { } y ? $"measured y = {y}, phase {a.Phase!.Value.ToString("F6", Inv)}" : "no circuit"),-38} {(a.Order is { } o ? $"order r = {o}" : ""),-12} {a.Outcome}");
        Console.WriteLine($"{n} = {r.P} x {r.Q}");
        return 0;
    }

    /// <summary><c>quantum evolve</c>: Trotter evolution of a spin chain beside the exact one, observables over time, an SVG plot.</summary>
    private static int Evolve(string[] argv, CancellationToken cancel)
    {
        var args = new Args("quantum", argv);
        string model = (args.Value("--model") ?? "tfim").ToLowerInvariant();
        int n = args.Int("--qubits", 1, 24) ?? 10;
        double field = args.Double("--field", -1e6, 1e6) ?? 1.0;
        double coupling = args.Double("--coupling", -1e6, 1e6) ?? 1.0;
        double time = args.Double("--time", 0, 1e6) ?? 2.0;
        int steps = args.Int("--steps", 1, 100_000) ?? 50;
        int order = args.Int("--order", 1, 2) ?? 2;
        bool periodic = args.Flag("--periodic");
        string output = args.Value("--out") ?? "evolve.svg";
        args.End(["--model", "--qubits", "--field", "--coupling", "--time", "--steps", "--order", "--periodic", "--out"]);
        PauliSum h = model switch
        {
            "tfim" => SpinChains.TransverseFieldIsing(n, coupling, field, periodic),
            "heisenberg" => SpinChains.Heisenberg(n, coupling, coupling, coupling, field, periodic),
            _ => throw new UsageException($"unknown model '{model}'; valid: tfim, heisenberg.", "quantum"),
        };
        double dt = time / steps;
        var step = Trotter.Circuit(h, dt, 1, order);
        // Start from |0…0> (all spins up along z); for Heisenberg a Néel state, which is not an eigenstate.
        var trotter = new StateVector(n);
        if (model == "heisenberg") for (int q = 1; q < n; q += 2) trotter.ApplyX(q);
        var exact = trotter.Clone();
        var rows = new List<(double T, double MzExact, double MzTrotter, double MxExact, double MxTrotter, double Fidelity, double Energy)>();
        void Record(double t) => rows.Add((t, MeanPauli(exact, 'Z'), MeanPauli(trotter, 'Z'), MeanPauli(exact, 'X'), MeanPauli(trotter, 'X'),
            Math.Pow(exact.InnerProduct(trotter).Magnitude, 2), h.Expectation(trotter)));
        Record(0);
        for (int s = 1; s <= steps; s++)
        {
            cancel.ThrowIfCancellationRequested();
            step.ApplyTo(trotter);
            exact = TimeEvolution.Evolve(h, exact, dt);
            Record(s * dt);
        }
        Console.WriteLine($"polymath quantum evolve: {model} chain, {n} qubits, J = {coupling.ToString(Inv)}, h = {field.ToString(Inv)}{(periodic ? ", periodic" : ", open")}, " +
            $"t = {time.ToString(Inv)} in {steps} order-{order} Trotter steps ({step.Size} gates each); exact by Krylov propagation");
        Console.WriteLine($"  {"t",8}  {"<Z> exact",10}  {"<Z> trotter",11}  {"<X> exact",10}  {"<X> trotter",11}  {"fidelity",10}  {"<H>",10}");
        int every = Math.Max(1, steps / 20);
        for (int i = 0; i < rows.Count; i++)
        {
            if (i % every != 0 && i != rows.Count - 1) continue;
            var r = rows[i];
            Console.WriteLine($"  {r.T,8:F4}  {r.MzExact,10:F6}  {r.MzTrotter,11:F6}  {r.MxExact,10:F6}  {r.MxTrotter,11:F6}  {r.Fidelity,10:F8}  {r.Energy,10:F6}");
        }
        var svg = HtmlReport.Svg("time t", [
            new HtmlReport.Series("<Z> exact", rows.Select(r => (r.T, r.MzExact)).ToList()),
            new HtmlReport.Series("<Z> Trotter", rows.Select(r => (r.T, r.MzTrotter)).ToList()),
            new HtmlReport.Series("<X> exact", rows.Select(r => (r.T, r.MxExact)).ToList()),
            new HtmlReport.Series("<X> Trotter", rows.Select(r => (r.T, r.MxTrotter)).ToList()),
        ]);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null) Directory.CreateDirectory(dir);
        string tmp = output + ".tmp";
        File.WriteAllText(tmp, svg);
        File.Move(tmp, output, overwrite: true);
        Console.WriteLine($"plot of the mean magnetisations: {output}");
        return 0;
    }

    /// <summary>(1/n) Σ_q ⟨P_q⟩ for P = X or Z on each qubit.</summary>
    private static double MeanPauli(StateVector s, char p)
    {
        double sum = 0;
        for (int q = 0; q < s.NumQubits; q++)
        {
            var chars = new string('I', s.NumQubits).ToCharArray();
            chars[s.NumQubits - 1 - q] = p;
            sum += s.ExpectationPauli(new string(chars));
        }
        return sum / s.NumQubits;
    }
}
