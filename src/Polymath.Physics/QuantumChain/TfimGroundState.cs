using System.Numerics;
using Polymath.Quantum;

namespace Polymath.Physics;

/// <summary>
/// A ground state of the transverse-field Ising chain H = −J Σ ZᵢZᵢ₊₁ − h Σ Xᵢ with its energy, correlators and
/// seeded measurement snapshots. Qubit i is site i (Polymath.Quantum's little-endian order: bit i of a basis index).
/// </summary>
public sealed class TfimGroundState
{
    internal TfimGroundState(int sites, double coupling, double field, bool periodic, double energy, StateVector state, string method, bool converged)
    {
        Sites = sites;
        Coupling = coupling;
        Field = field;
        Periodic = periodic;
        Energy = energy;
        State = state;
        Method = method;
        Converged = converged;
    }

    /// <summary>The number of sites n.</summary>
    public int Sites { get; }

    /// <summary>The coupling J.</summary>
    public double Coupling { get; }

    /// <summary>The transverse field h.</summary>
    public double Field { get; }

    /// <summary>Whether the chain has the bond (n−1, 0).</summary>
    public bool Periodic { get; }

    /// <summary>⟨ψ|H|ψ⟩.</summary>
    public double Energy { get; }

    /// <summary>The normalised state (do not modify it).</summary>
    public StateVector State { get; }

    /// <summary>How it was found: "lanczos", "vqe" or "adiabatic".</summary>
    public string Method { get; }

    /// <summary>Whether the method met its convergence test.</summary>
    public bool Converged { get; }

    /// <summary>The 2ⁿ amplitudes, basis index order.</summary>
    public Complex[] Amplitudes() => State.ToArray();

    /// <summary>⟨Zᵢ Zⱼ⟩.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A site outside [0, n).</exception>
    public double ZZ(int i, int j) => Expectation(('Z', i), ('Z', j));

    /// <summary>⟨Xᵢ⟩.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A site outside [0, n).</exception>
    public double X(int i) => Expectation(('X', i));

    /// <summary>The matrix of ⟨Zᵢ Zⱼ⟩ (ones on the diagonal).</summary>
    public double[,] ZZCorrelations()
    {
        var c = new double[Sites, Sites];
        for (int i = 0; i < Sites; i++)
        {
            c[i, i] = 1;
            for (int j = i + 1; j < Sites; j++) c[i, j] = c[j, i] = ZZ(i, j);
        }
        return c;
    }

    /// <summary>The transverse magnetisation per site ⟨Σ Xᵢ⟩/n.</summary>
    public double TransverseMagnetization() => Enumerable.Range(0, Sites).Average(X);

    /// <summary>
    /// <paramref name="shots"/> projective measurements of every qubit in <paramref name="basis"/>, drawn from |ψ|² (after
    /// a Hadamard on every qubit for the X basis) with a seeded generator: result[s, i] is bit i of shot s (0 or 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative shots or an unknown basis.</exception>
    public byte[,] Snapshots(MeasurementBasis basis, int shots, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var indices = SampleIndices(basis, shots, seed);
        var bits = new byte[shots, Sites];
        for (int s = 0; s < shots; s++)
            for (int i = 0; i < Sites; i++) bits[s, i] = (byte)(indices[s] >> i & 1);
        return bits;
    }

    /// <summary>As <see cref="Snapshots"/>, but the basis indices themselves (bit i = qubit i).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative shots or an unknown basis.</exception>
    public long[] SampleIndices(MeasurementBasis basis, int shots, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shots);
        var measured = basis switch
        {
            MeasurementBasis.Z => State,
            MeasurementBasis.X => RotatedToX(),
            _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, "TFIM snapshots: unknown measurement basis"),
        };
        return measured.SampleIndices(shots, seed);
    }

    private StateVector RotatedToX()
    {
        var rotated = State.Clone();
        var s = new Complex(1 / Math.Sqrt(2), 0);
        for (int q = 0; q < Sites; q++) rotated.ApplyMatrix2(q, s, s, s, -s);
        return rotated;
    }

    private double Expectation(params (char Pauli, int Site)[] factors)
    {
        foreach (var (_, site) in factors)
            if ((uint)site >= (uint)Sites) throw new ArgumentOutOfRangeException(nameof(factors), site, $"TFIM: site {site} outside [0, {Sites})");
        return PauliSum.Term(Sites, 1.0, factors).Expectation(State);
    }
}
