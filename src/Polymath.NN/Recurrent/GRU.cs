namespace Polymath.NN;

/// <summary>
/// Gated recurrent unit, as PyTorch's nn.GRU: gates r, z, n (in that order in the weight rows);
/// r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr), z likewise, n = tanh(x W_inᵀ + b_in + r⊙(h W_hnᵀ + b_hn)),
/// h_t = (1 − z)⊙n + z⊙h_{t-1}. Parameters: <c>weight_ih_l{k}</c> [3H, in], <c>weight_hh_l{k}</c> [3H, H],
/// <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> [3H] (and <c>*_reverse</c>), all uniform in ±1/√hidden_size.
/// </summary>
public sealed class GRU : RecurrentBase<RnnInput, RnnOutput>
{
    /// <summary>Creates the layer stack.</summary>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Features of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to add bias_ih and bias_hh.</param>
    /// <param name="batchFirst">Input and output are [B, T, features].</param>
    /// <param name="dropout">Dropout on each layer's output except the last, training only.</param>
    /// <param name="bidirectional">Also run each layer backward in time.</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or dropout is outside [0, 1].</exception>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base(RecurrentKind.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, generator)
    {
    }

    /// <summary>Runs the GRU; see <see cref="RnnInput"/> and <see cref="RnnOutput"/> for shapes.</summary>
    /// <exception cref="ArgumentException">The input, h0 or lengths have the wrong shape, or a length is outside 1..T.</exception>
    public override RnnOutput Forward(RnnInput input)
    {
        var (output, hn, _) = Run(input.Input, input.H0, null, input.Lengths);
        return new RnnOutput(output, hn);
    }

    /// <summary>Shorthand for <c>Call(new RnnInput(input, h0, lengths))</c>.</summary>
    public RnnOutput Call(Tensor input, Tensor? h0 = null, Tensor? lengths = null) => Call(new RnnInput(input, h0, lengths));
}
