using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// The one-parameter gates whose derivative the gradient code knows: U(φ) = e^{−iφG} with a generator G whose
/// eigenvalues differ by at most 1 (two distinct ones), so that the two-term parameter-shift rule
/// dE/dφ = [E(φ + π/2) − E(φ − π/2)]/2 is exact. RX, RY, RZ, RXX, RYY, RZZ have G = P/2; P(λ) has G = −|1⟩⟨1|;
/// CP(λ) has G = −|11⟩⟨11|. Controlled rotations (CRX, …) have three distinct eigenvalues and are not supported.
/// </summary>
internal static class GateGenerators
{
    public static bool IsSupported(Gate gate) =>
        gate is RXGate or RYGate or RZGate or RXXGate or RYYGate or RZZGate or PhaseGate or CPhaseGate;

    /// <summary>The same kind of gate with angle <paramref name="angle"/>.</summary>
    public static Gate WithAngle(Gate gate, double angle) => gate switch
    {
        RXGate => new RXGate(angle),
        RYGate => new RYGate(angle),
        RZGate => new RZGate(angle),
        RXXGate => new RXXGate(angle),
        RYYGate => new RYYGate(angle),
        RZZGate => new RZZGate(angle),
        PhaseGate => new PhaseGate(angle),
        CPhaseGate => new CPhaseGate(angle),
        _ => throw new NotSupportedException($"no derivative rule for gate '{gate.Name}'"),
    };

    /// <summary>Replaces <paramref name="state"/> by G·state for the gate on <paramref name="qubits"/>.</summary>
    public static void ApplyGenerator(Gate gate, IReadOnlyList<int> qubits, StateVector state)
    {
        Complex i = Complex.ImaginaryOne;
        switch (gate)
        {
            case RXGate: state.ApplyMatrix2(qubits[0], 0, 0.5, 0.5, 0); break;
            case RYGate: state.ApplyMatrix2(qubits[0], 0, -0.5 * i, 0.5 * i, 0); break;
            case RZGate: state.ApplyMatrix2(qubits[0], 0.5, 0, 0, -0.5); break;
            case RXXGate:
                state.ApplyMatrix2(qubits[0], 0, 0.5, 0.5, 0);
                state.ApplyMatrix2(qubits[1], 0, 1, 1, 0);
                break;
            case RYYGate:
                state.ApplyMatrix2(qubits[0], 0, -0.5 * i, 0.5 * i, 0);
                state.ApplyMatrix2(qubits[1], 0, -i, i, 0);
                break;
            case RZZGate:
                state.ApplyMatrix2(qubits[0], 0.5, 0, 0, -0.5);
                state.ApplyMatrix2(qubits[1], 1, 0, 0, -1);
                break;
            case PhaseGate: state.ApplyMatrix2(qubits[0], 0, 0, 0, -1); break;
            case CPhaseGate:
                state.ApplyMatrix2(qubits[0], 0, 0, 0, 1);
                state.ApplyMatrix2(qubits[1], 0, 0, 0, -1);
                break;
            default: throw new NotSupportedException($"no generator for gate '{gate.Name}'");
        }
    }
}
