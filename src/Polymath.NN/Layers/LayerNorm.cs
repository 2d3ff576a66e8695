namespace Polymath.NN;

/// <summary>
/// Layer normalisation over the trailing dims given by <c>normalized_shape</c>, as PyTorch's nn.LayerNorm:
/// y = (x − mean) / √(var + eps) · weight + bias, with mean and the biased variance taken over those dims for each
/// leading index. weight starts at ones and bias at zeros (both shaped like <c>normalized_shape</c>).
/// Composed from tensor ops (mean, subtraction, rsqrt), so its gradient comes from their backward rules.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly int[] _normalizedShape;

    /// <summary>Normalises over the last dim of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype)
    {
    }

    /// <summary>Normalises over the last <c>normalizedShape.Length</c> dims, which must equal <paramref name="normalizedShape"/>.</summary>
    /// <exception cref="ArgumentException">The shape is empty or has a non-positive size, or eps is negative.</exception>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(s => s <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty with positive sizes, got [{string.Join(",", normalizedShape)}].");
        if (!(eps >= 0))
            throw new ArgumentException($"LayerNorm: eps must be non-negative, got {eps}.");
        _normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(_normalizedShape, dtype));
            if (bias)
                Bias = RegisterParameter("bias", Tensor.Zeros(_normalizedShape, dtype));
            else
                RegisterNullParameter("bias");
        }
        else
        {
            RegisterNullParameter("weight");
            RegisterNullParameter("bias");
        }
    }

    /// <summary>The trailing shape normalised over.</summary>
    public int[] NormalizedShape => (int[])_normalizedShape.Clone();

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Whether the layer has a learnable scale (and, unless disabled, shift).</summary>
    public bool ElementwiseAffine { get; }

    /// <summary>Scale, shaped like <see cref="NormalizedShape"/>; null without elementwise affine.</summary>
    public Tensor? Weight { get; private set; }

    /// <summary>Shift, shaped like <see cref="NormalizedShape"/>; null without elementwise affine or bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input's trailing dims are not <see cref="NormalizedShape"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        int k = _normalizedShape.Length;
        var shape = input.Shape;
        if (shape.Length < k || !shape.AsSpan(shape.Length - k).SequenceEqual(_normalizedShape))
            throw new ArgumentException($"LayerNorm: expected input [..., {string.Join(", ", _normalizedShape)}], got [{string.Join(",", shape)}].");
        return Functional.LayerNorm(input, _normalizedShape, Weight, Bias, Eps);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"({string.Join(", ", _normalizedShape)}{(_normalizedShape.Length == 1 ? "," : "")}), eps={Eps.ToString(System.Globalization.CultureInfo.InvariantCulture)}, elementwise_affine={(ElementwiseAffine ? "True" : "False")}";
}
