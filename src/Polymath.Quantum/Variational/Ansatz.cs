namespace Polymath.Quantum;

/// <summary>
/// A parameterised circuit together with the order of its parameters, so that a vector θ of numbers maps to names:
/// θ[k] binds <see cref="ParameterNames"/>[k].
/// </summary>
public sealed class Ansatz
{
    /// <summary>Wraps <paramref name="circuit"/>; the parameter order defaults to <see cref="Circuit.Parameters"/> (sorted by name).</summary>
    /// <exception cref="ArgumentException">A name is repeated or is not a parameter of the circuit, or a circuit parameter is missing.</exception>
    public Ansatz(Circuit circuit, IReadOnlyList<string>? parameterNames = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        Circuit = circuit;
        var actual = circuit.Parameters;
        ParameterNames = parameterNames?.ToArray() ?? actual.ToArray();
        if (ParameterNames.Distinct().Count() != ParameterNames.Count)
            throw new ArgumentException("Ansatz: a parameter name is listed twice");
        var missing = actual.Except(ParameterNames).ToList();
        if (missing.Count > 0) throw new ArgumentException($"Ansatz: circuit parameter(s) {string.Join(", ", missing)} are not in the parameter order");
        var extra = ParameterNames.Except(actual).ToList();
        if (extra.Count > 0) throw new ArgumentException($"Ansatz: {string.Join(", ", extra)} do not occur in the circuit");
    }

    /// <summary>The circuit, with symbolic parameters.</summary>
    public Circuit Circuit { get; }

    /// <summary>Parameter names in vector order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Number of parameters.</summary>
    public int NumParameters => ParameterNames.Count;

    /// <summary>Number of qubits.</summary>
    public int NumQubits => Circuit.NumQubits;

    /// <summary>The name → value map for the vector <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    public Dictionary<string, double> Values(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != NumParameters) throw new ArgumentException($"the ansatz has {NumParameters} parameters but {values.Count} values were given");
        var d = new Dictionary<string, double>(NumParameters, StringComparer.Ordinal);
        for (int k = 0; k < NumParameters; k++) d[ParameterNames[k]] = values[k];
        return d;
    }

    /// <summary>The circuit with <paramref name="values"/> bound.</summary>
    public Circuit Bind(IReadOnlyList<double> values) => Circuit.Bind(Values(values));

    /// <summary>The state the bound circuit prepares from |0…0⟩.</summary>
    public StateVector State(IReadOnlyList<double> values) => Simulator.Statevector(Bind(values));
}
