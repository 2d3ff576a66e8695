using Polymath.Quantum;

namespace Polymath.Cli;

internal static partial class QuantumCommand
{
    private static int SubCommand(string sub, string[] argv, CancellationToken cancel) =>
        throw new UsageException($"unknown quantum command '{sub}'. Commands: run.", "quantum");

    private static Dictionary<string, int> RunWithNoise(Circuit circuit, int shots, int seed, string? noise, Precision precision)
    {
        if (noise is not null) throw new UsageException("--noise is not available yet.", "quantum");
        return Simulator.Run(circuit, shots, seed);
    }
}
