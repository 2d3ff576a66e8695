namespace Polymath.NN;

/// <summary>
/// x·Φ(x) elementwise, Φ the standard normal CDF (PyTorch's nn.GELU); with approximate "tanh",
/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). No parameters.
/// </summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer; <paramref name="approximate"/> is "none" (exact, erf) or "tanh".</summary>
    /// <exception cref="ArgumentException">Another approximation name.</exception>
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be 'none' or 'tanh', got '{approximate}'.");
        Approximate = approximate;
    }

    /// <summary>"none" or "tanh".</summary>
    public string Approximate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Gelu(Approximate);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"approximate='{Approximate}'";
}
