using System.Numerics;

namespace Polymath.Quantum;

// Non-unitary single-qubit steps the circuit simulator needs (reset, projection onto a known outcome), written only
// with the public kernels so they keep working whatever the storage and kernels become.
public sealed partial class StateVector
{
    /// <summary>
    /// Projects <paramref name="qubit"/> onto |<paramref name="outcome"/>⟩ and renormalises: the post-measurement state
    /// for a known outcome. Returns the outcome's probability.
    /// </summary>
    /// <exception cref="InvalidOperationException">The outcome has probability 0, so the projection has no state to renormalise.</exception>
    public double Project(int qubit, int outcome)
    {
        if (outcome is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(outcome), $"outcome {outcome} is not 0 or 1");
        double total = NormSquared();
        double one = ProbabilityOfOne(qubit);
        double mass = outcome == 1 ? one : total - one;
        if (!(mass > 0)) throw new InvalidOperationException($"cannot project qubit {qubit} onto |{outcome}⟩: that outcome has probability 0");
        double scale = 1 / Math.Sqrt(mass);
        // diag(scale, 0) or diag(0, scale): the projector and the renormalisation in one (non-unitary) pass.
        ApplyUnchecked(outcome == 0 ? new Complex[,] { { scale, 0 }, { 0, 0 } } : new Complex[,] { { 0, 0 }, { 0, scale } }, [qubit], []);
        return mass / total;
    }

    /// <summary>
    /// Resets <paramref name="qubit"/> to |0⟩ along one quantum trajectory: measures it with <paramref name="rng"/> and flips
    /// it back when the outcome is 1. Averaged over draws this is the reset channel; it returns the (discarded) outcome.
    /// </summary>
    public int Reset(int qubit, Random rng)
    {
        int outcome = Measure(qubit, rng);
        if (outcome == 1) ApplyX(qubit);
        return outcome;
    }
}
