namespace Polymath.NN;

/// <summary>
/// Long short-term memory, as PyTorch's nn.LSTM: gates i, f, g, o (in that order in the weight rows) from
/// x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh; c_t = σ(f)⊙c_{t-1} + σ(i)⊙tanh(g), h_t = σ(o)⊙tanh(c_t). Parameters:
/// <c>weight_ih_l{k}</c> [4H, in], <c>weight_hh_l{k}</c> [4H, H], <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> [4H]
/// (and <c>*_reverse</c>), all uniform in ±1/√hidden_size.
/// </summary>
public sealed class LSTM : RecurrentBase<LstmInput, LstmOutput>
{
    /// <summary>Creates the layer stack.</summary>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Features of the hidden and cell state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to add bias_ih and bias_hh.</param>
    /// <param name="batchFirst">Input and output are [B, T, features].</param>
    /// <param name="dropout">Dropout on each layer's output except the last, training only.</param>
    /// <param name="bidirectional">Also run each layer backward in time.</param>
    /// <param name="dtype">Parameter type.</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or dropout is outside [0, 1].</exception>
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base(RecurrentKind.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, generator)
    {
    }

    /// <summary>Runs the LSTM; see <see cref="LstmInput"/> and <see cref="LstmOutput"/> for shapes.</summary>
    /// <exception cref="ArgumentException">The input, states or lengths have the wrong shape, or a length is outside 1..T.</exception>
    public override LstmOutput Forward(LstmInput input)
    {
        var (output, hn, cn) = Run(input.Input, input.State?.H, input.State?.C, input.Lengths);
        return new LstmOutput(output, new LstmState(hn, cn!));
    }

    /// <summary>Shorthand for <c>Call(new LstmInput(input, state, lengths))</c>.</summary>
    public LstmOutput Call(Tensor input, LstmState? state = null, Tensor? lengths = null) => Call(new LstmInput(input, state, lengths));
}
