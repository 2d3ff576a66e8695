namespace Polymath.Scale.Compression;

/// <summary>
/// A Linear layer with int8 weights (per-output-channel symmetric scales) that runs on <see cref="Int8Gemm"/>. With
/// <see cref="InputParams"/> set (static quantization) the input is quantized with the calibrated scale and zero
/// point; without them (dynamic quantization) each batch is quantized with its own min/max. Inference only: the
/// output carries no gradient. Input [..., in_features] float32, output [..., out_features].
/// </summary>
public sealed class QuantizedLinear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer from quantized values.</summary>
    /// <param name="weight">int8 weights, row-major [out, in].</param>
    /// <param name="weightScale">One scale per output feature.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="bias">Float bias [out], or null.</param>
    /// <param name="inputParams">Calibrated input parameters, or null for dynamic quantization.</param>
    /// <param name="fuseRelu">Apply ReLU to the output (the float model's next layer).</param>
    /// <exception cref="ArgumentException">The arrays do not match the sizes, or a scale is not positive.</exception>
    public QuantizedLinear(sbyte[] weight, float[] weightScale, int outFeatures, int inFeatures, float[]? bias, QuantParams? inputParams, bool fuseRelu = false)
    {
        if (weightScale.Length != outFeatures || (bias is not null && bias.Length != outFeatures))
            throw new ArgumentException($"QuantizedLinear: {weightScale.Length} scales and {bias?.Length ?? 0} biases for {outFeatures} outputs.");
        if (weightScale.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException("QuantizedLinear: weight scales must be positive and finite.");
        Packed = new Int8PackedWeights(weight, outFeatures, inFeatures);
        (WeightScale, BiasValues, InputParams, FuseRelu) = (weightScale, bias, inputParams, fuseRelu);
    }

    /// <summary>Quantizes a float Linear.</summary>
    public static QuantizedLinear FromFloat(Linear layer, QuantParams? inputParams, bool fuseRelu = false)
    {
        var w = layer.Weight.Detach().To(DType.Float32).ToArray();
        var (q, scales) = Quantize.WeightsPerChannel(w, layer.OutFeatures, layer.InFeatures);
        return new QuantizedLinear(q, scales, layer.OutFeatures, layer.InFeatures, layer.Bias?.Detach().To(DType.Float32).ToArray(), inputParams, fuseRelu);
    }

    /// <summary>Input features.</summary>
    public int InFeatures => Packed.K;

    /// <summary>Output features.</summary>
    public int OutFeatures => Packed.N;

    /// <summary>The int8 weights, packed for the kernels (<see cref="Int8PackedWeights.Weights"/> holds them as given).</summary>
    public Int8PackedWeights Packed { get; }

    /// <summary>Per-output-feature weight scales.</summary>
    public float[] WeightScale { get; }

    /// <summary>The float bias, or null.</summary>
    public float[]? BiasValues { get; }

    /// <summary>Calibrated input parameters; null means dynamic (per batch).</summary>
    public QuantParams? InputParams { get; }

    /// <summary>True when ReLU is applied to the output.</summary>
    public bool FuseRelu { get; }

    /// <summary>The weights the layer really uses, dequantized to float32 [out, in].</summary>
    public Tensor DequantizedWeight()
    {
        var w = new float[Packed.Weights.Length];
        for (int i = 0; i < w.Length; i++)
            w[i] = Packed.Weights[i] * WeightScale[i / InFeatures];
        return Tensor.Wrap(w, OutFeatures, InFeatures);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not float32 [..., in_features].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"QuantizedLinear: expected input [..., {InFeatures}], got [{string.Join(",", input.Shape)}].");
        var (x, off) = QuantizedKernels.Floats(input, "QuantizedLinear");
        int rows = checked((int)(input.Numel / InFeatures));
        var p = InputParams ?? QuantizedKernels.Dynamic(x.AsSpan(off, rows * InFeatures));
        var shape = input.Shape.ToArray();
        shape[^1] = OutFeatures;
        var result = Tensor.Empty(shape, DType.Float32);
        QuantizedKernels.LinearRows(x, off, rows, p, Packed, WeightScale, BiasValues, FuseRelu, result.Data<float>());
        return result;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"in_features={InFeatures}, out_features={OutFeatures}, {(InputParams is { } p ? $"input_scale={p.Scale:G4}, input_zero_point={p.ZeroPoint}" : "dynamic")}{(FuseRelu ? ", relu" : "")}";
}
