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

    /// <summary>Overwrites all amplitudes with <paramref name="amplitudes"/> (length 2ⁿ); not normalised for you.</summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Dimension"/>.</exception>
    public void SetAmplitudes(ReadOnlySpan<Complex> amplitudes)
    {
        if (amplitudes.Length != Dimension) throw new ArgumentException($"SetAmplitudes: {amplitudes.Length} amplitudes given for a state of {Dimension}", nameof(amplitudes));
        amplitudes.CopyTo(new Span<Complex>(_storage.Pointer, amplitudes.Length));
        GC.KeepAlive(this);
    }

    /// <summary>Multiplies every amplitude by <paramref name="factor"/>.</summary>
    public void Scale(Complex factor)
    {
        for (long i = 0; i < Dimension; i++) _storage.Pointer[i] *= factor;
        GC.KeepAlive(this);
    }

    /// <summary>Divides by the norm so that ⟨ψ|ψ⟩ = 1; returns the norm it had.</summary>
    /// <exception cref="InvalidOperationException">The state is zero.</exception>
    public double Normalize()
    {
        double norm = Math.Sqrt(NormSquared());
        if (norm == 0) throw new InvalidOperationException("cannot normalise the zero vector");
        Scale(1 / norm);
        return norm;
    }
}
