using System.Globalization;

namespace Polymath.Quantum;

// The short noise specification used on the command line (polymath quantum run --noise depolarizing:0.001,readout:0.02).
public sealed partial class NoiseModel
{
    /// <summary>The names <see cref="Parse"/> understands, with what each adds.</summary>
    public static IReadOnlyDictionary<string, string> SpecNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["depolarizing"] = "depolarizing:p — 1-qubit depolarizing(p) after 1-qubit gates, 2-qubit depolarizing(p) after 2-qubit gates, 1-qubit depolarizing(p) on each qubit of larger gates",
        ["amplitude_damping"] = "amplitude_damping:γ — amplitude damping on each qubit of every gate",
        ["phase_damping"] = "phase_damping:λ — phase damping on each qubit of every gate",
        ["bit_flip"] = "bit_flip:p — X with probability p on each qubit of every gate",
        ["phase_flip"] = "phase_flip:p — Z with probability p on each qubit of every gate",
        ["pauli"] = "pauli:px:py:pz — Pauli channel on each qubit of every gate",
        ["readout"] = "readout:p (symmetric) or readout:p(1|0):p(0|1) — read-out error on every measured bit",
    };

    /// <summary>
    /// Parses a comma-separated noise specification: items <c>name:value[:value…]</c> from <see cref="SpecNames"/>, e.g.
    /// <c>depolarizing:0.001</c>, <c>amplitude_damping:0.01,phase_damping:0.02,readout:0.02</c>. Names are case-insensitive,
    /// '-' may stand for '_', numbers use '.' as decimal point; "" or "none" gives an ideal model.
    /// </summary>
    /// <exception cref="FormatException">An unknown name, a missing or malformed number, a wrong count of values, or a value out of range; the message quotes the item and its position.</exception>
    public static NoiseModel Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var model = new NoiseModel();
        string trimmed = spec.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("ideal", StringComparison.OrdinalIgnoreCase))
            return model;
        string[] items = trimmed.Split(',');
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i].Trim();
            string where = $"noise spec '{spec}', item {i + 1} '{item}'";
            if (item.Length == 0) throw new FormatException($"{where}: empty item (two commas in a row, or a trailing comma?)");
            string[] parts = item.Split(':');
            string name = parts[0].Trim().ToLowerInvariant().Replace('-', '_');
            if (!SpecNames.ContainsKey(name))
                throw new FormatException($"{where}: unknown noise '{parts[0].Trim()}'; expected one of {string.Join(", ", SpecNames.Keys)}");
            var values = new double[parts.Length - 1];
            for (int v = 0; v < values.Length; v++)
            {
                string text = parts[v + 1].Trim();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[v]) || !double.IsFinite(values[v]))
                    throw new FormatException($"{where}: '{text}' is not a number");
                if (values[v] < 0 || values[v] > 1)
                    throw new FormatException($"{where}: value {text} is outside [0, 1]");
            }
            int expected = name switch { "pauli" => 3, "readout" => values.Length == 2 ? 2 : 1, _ => 1 };
            if (values.Length != expected)
                throw new FormatException($"{where}: expected {expected} value(s) after '{name}', got {values.Length} ({SpecNames[name]})");
            try
            {
                switch (name)
                {
                    case "depolarizing":
                        model.AddAllGatesError(QuantumChannel.Depolarizing(values[0], 1));
                        model.AddAllGatesError(QuantumChannel.Depolarizing(values[0], 2));
                        break;
                    case "amplitude_damping": model.AddAllQubitsError(QuantumChannel.AmplitudeDamping(values[0])); break;
                    case "phase_damping": model.AddAllQubitsError(QuantumChannel.PhaseDamping(values[0])); break;
                    case "bit_flip": model.AddAllQubitsError(QuantumChannel.BitFlip(values[0])); break;
                    case "phase_flip": model.AddAllQubitsError(QuantumChannel.PhaseFlip(values[0])); break;
                    case "pauli": model.AddAllQubitsError(QuantumChannel.Pauli(values[0], values[1], values[2])); break;
                    case "readout":
                        model.AddReadoutError(values.Length == 1 ? ReadoutError.Symmetric(values[0]) : new ReadoutError(values[0], values[1]));
                        break;
                }
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{where}: {e.Message}", e);
            }
        }
        return model;
    }
}
