namespace Polymath.NN;

/// <summary>
/// y_o = x1ᵀ A_o x2 + b_o for x1 [*, in1], x2 [*, in2] (same leading dims), weight A [out, in1, in2] and bias [out]
/// (PyTorch's nn.Bilinear). Initialised as PyTorch: weight and bias U(±1/√in1).
/// </summary>
public sealed class Bilinear : Module<(Tensor Input1, Tensor Input2), Tensor>
{
    /// <summary>Creates the layer; <paramref name="dtype"/> sets the parameters' type.</summary>
    /// <exception cref="ArgumentException">A feature count is not positive.</exception>
    public Bilinear(int in1Features, int in2Features, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (in1Features <= 0 || in2Features <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Bilinear: feature counts must be positive, got in1={in1Features}, in2={in2Features}, out={outFeatures}.");
        (In1Features, In2Features, OutFeatures) = (in1Features, in2Features, outFeatures);
        double bound = 1.0 / Math.Sqrt(in1Features);
        Weight = RegisterParameter("weight", Init.Uniform(Tensor.Zeros([outFeatures, in1Features, in2Features], dtype), -bound, bound, generator));
        if (bias)
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.Zeros([outFeatures], dtype), -bound, bound, generator));
        else
            RegisterNullParameter("bias");
    }

    /// <summary>Size of each first input sample.</summary>
    public int In1Features { get; }

    /// <summary>Size of each second input sample.</summary>
    public int In2Features { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in1, in2].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>[out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Applies the layer to two inputs (shorthand for <c>Call((input1, input2))</c>).</summary>
    public Tensor Call(Tensor input1, Tensor input2) => Call((input1, input2));

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The last dims are not in1/in2, or the leading dims differ.</exception>
    public override Tensor Forward((Tensor Input1, Tensor Input2) input)
    {
        var (x1, x2) = input;
        if (x1.Rank == 0 || x2.Rank == 0 || x1.Size(-1) != In1Features || x2.Size(-1) != In2Features || !x1.Shape[..^1].SequenceEqual(x2.Shape[..^1]))
            throw new ArgumentException($"Bilinear: expected inputs [*, {In1Features}] and [*, {In2Features}] with the same leading dims, got {LayerUtil.Shape(x1)} and {LayerUtil.Shape(x2)}.");
        var lead = x1.Shape[..^1];
        var a = x1.Reshape(-1, In1Features);
        var b = x2.Reshape(-1, In2Features);
        // (x1 · A) as one matmul: [B, in1] @ [in1, out·in2] → [B, out, in2], then the dot with x2 over in2.
        var t = a.MatMul(Weight.Permute(1, 0, 2).Reshape(In1Features, OutFeatures * In2Features)).Reshape(-1, OutFeatures, In2Features);
        var y = (t * b.Unsqueeze(1)).Sum(-1);
        if (Bias is not null) y = y + Bias;
        return y.Reshape([.. lead, OutFeatures]);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
        else if (name == "bias") Bias = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in1_features={In1Features}, in2_features={In2Features}, out_features={OutFeatures}, bias={LayerUtil.Bool(Bias is not null)}";
}
