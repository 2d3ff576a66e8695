namespace Polymath.Quantum;

/// <summary>How <see cref="EnergyFunction"/> computes ∇E(θ).</summary>
public enum GradientMethod
{
    /// <summary>Adjoint differentiation: one forward simulation and one backward sweep for all parameters (exact).</summary>
    Adjoint,

    /// <summary>Two-term parameter-shift rule: two simulations per parameterised gate (exact; what hardware can do).</summary>
    ParameterShift,
}
