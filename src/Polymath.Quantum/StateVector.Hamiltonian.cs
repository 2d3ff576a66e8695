using System.Numerics;

namespace Polymath.Quantum;

/// <summary>Reads or writes amplitudes as spans: the input of one state and the output of another (possibly the same).</summary>
internal delegate void AmplitudeAction(ReadOnlySpan<Complex> input, Span<Complex> output);

// Raw amplitude access for the Hamiltonian, evolution and gradient code, which works on spans and arrays.
public sealed unsafe partial class StateVector
{
    /// <summary>
    /// Runs <paramref name="action"/> on the amplitudes of <paramref name="input"/> and <paramref name="output"/> as spans
    /// over the native storage (at most 2³⁰ amplitudes), keeping both states alive meanwhile.
    /// </summary>
    internal static void WithAmplitudes(StateVector input, StateVector output, AmplitudeAction action)
    {
        if (input.Dimension > Array.MaxLength || output.Dimension > Array.MaxLength)
            throw new InvalidOperationException($"{Math.Max(input.Dimension, output.Dimension)} amplitudes do not fit in one span");
        action(new ReadOnlySpan<Complex>(input._storage.Pointer, (int)input.Dimension), new Span<Complex>(output._storage.Pointer, (int)output.Dimension));
        GC.KeepAlive(input);
        GC.KeepAlive(output);
    }
}
