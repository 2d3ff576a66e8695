namespace Polymath.NN;

/// <summary>
/// While training, zeroes each element with probability <c>p</c> and scales the survivors by 1/(1−p), so the
/// expected value is unchanged; in evaluation mode it returns its input unchanged (PyTorch's nn.Dropout).
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer; masks are drawn from <paramref name="generator"/> (the default generator when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: probability must be in [0, 1], got {p}.");
        P = p;
        _generator = generator;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, _generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)}, inplace=False";
}
