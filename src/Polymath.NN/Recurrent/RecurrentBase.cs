using System.Globalization;

namespace Polymath.NN;

/// <summary>Which recurrence a <see cref="RecurrentBase{TIn,TOut}"/> runs.</summary>
internal enum RecurrentKind
{
    RnnTanh,
    RnnRelu,
    Lstm,
    Gru,
}

/// <summary>
/// What <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> share (PyTorch's RNNBase): the configuration, the
/// parameters <c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> (with a
/// <c>_reverse</c> suffix for the backward direction) and the multi-layer, bidirectional loop.
/// </summary>
/// <remarks>
/// Each layer and direction computes its input projection for all steps with one matrix product
/// (x [T·B, in] @ W_ihᵀ, both biases folded in where the cell allows), then per step one product h @ W_hhᵀ and the gate
/// nonlinearities. Variable lengths are handled by masking: a padded step keeps the previous state and outputs zero,
/// which gives PyTorch's packed-sequence results without reordering the batch.
/// </remarks>
public abstract class RecurrentBase<TIn, TOut> : Module<TIn, TOut>
{
    private readonly RecurrentKind _kind;
    private readonly int _gates;

    private protected RecurrentBase(RecurrentKind kind, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, DType dtype, Generator? generator)
    {
        string name = GetType().Name;
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), $"{name}: input_size and hidden_size must be positive, got {inputSize} and {hiddenSize}.");
        if (numLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"{name}: num_layers must be positive, got {numLayers}.");
        if (dropout is < 0 or > 1 || double.IsNaN(dropout))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"{name}: dropout must be in [0, 1], got {dropout}.");
        _kind = kind;
        _gates = kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++)
            for (int dir = 0; dir < NumDirections; dir++)
            {
                int inSize = layer == 0 ? inputSize : hiddenSize * NumDirections;
                string suffix = ParamSuffix(layer, dir);
                Tensor U(params int[] shape) => Tensor.Zeros(shape, dtype).UniformInPlace(-bound, bound, generator);
                RegisterParameter("weight_ih" + suffix, U(_gates * hiddenSize, inSize));
                RegisterParameter("weight_hh" + suffix, U(_gates * hiddenSize, hiddenSize));
                if (bias)
                {
                    RegisterParameter("bias_ih" + suffix, U(_gates * hiddenSize));
                    RegisterParameter("bias_hh" + suffix, U(_gates * hiddenSize));
                }
            }
    }

    /// <summary>Features per input step.</summary>
    public int InputSize { get; }

    /// <summary>Features of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked layers; layer k+1 reads layer k's output.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers have bias_ih and bias_hh.</summary>
    public bool Bias { get; }

    /// <summary>Input and output are [B, T, features] instead of [T, B, features] (states stay [L·D, B, H]).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability applied to each layer's output except the last, in training mode only.</summary>
    public double Dropout { get; }

    /// <summary>Whether each layer also runs backward in time; outputs concatenate [forward, backward].</summary>
    public bool Bidirectional { get; }

    /// <summary>2 when bidirectional, else 1.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    private static string ParamSuffix(int layer, int dir) => "_l" + layer.ToString(CultureInfo.InvariantCulture) + (dir == 1 ? "_reverse" : "");

    /// <summary>
    /// Runs all layers. Returns the output in the caller's layout, h_n and (LSTM only) c_n.
    /// </summary>
    private protected (Tensor Output, Tensor HN, Tensor? CN) Run(Tensor input, Tensor? h0, Tensor? c0, Tensor? lengths)
    {
        string name = TypeName;
        bool unbatched = input.Rank == 2;
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"{name}: expected input [T, B, {InputSize}]{(BatchFirst ? " (batch_first: [B, T, " + InputSize + "])" : "")} or unbatched [T, {InputSize}], got {ShapeText.Of(input)}.");
        if (input.Size(-1) != InputSize)
            throw new ArgumentException($"{name}: input has {input.Size(-1)} features per step, expected input_size={InputSize} (input {ShapeText.Of(input)}).");
        var x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Size(0), batch = x.Size(1), states = NumLayers * NumDirections;
        if (steps == 0)
            throw new ArgumentException($"{name}: the input has no time steps ({ShapeText.Of(input)}).");
        h0 = CheckState(h0, "h0", unbatched, batch, states);
        c0 = CheckState(c0, "c0", unbatched, batch, states);

        Tensor?[]? masks = null;
        if (lengths is not null)
        {
            if (unbatched)
                throw new ArgumentException($"{name}: lengths need a batched input, got {ShapeText.Of(input)}.");
            masks = StepMasks(lengths, steps, batch, name);
        }

        var hn = new Tensor[states];
        var cn = _kind == RecurrentKind.Lstm ? new Tensor[states] : null;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            if (layer > 0 && Dropout > 0 && Training)
                x = Functional.Dropout(x, Dropout, training: true);
            var outs = new Tensor[NumDirections];
            for (int dir = 0; dir < NumDirections; dir++)
            {
                int idx = layer * NumDirections + dir;
                var h = h0?.Select(0, idx) ?? Tensor.Zeros([batch, HiddenSize], x.DType);
                var c = _kind == RecurrentKind.Lstm ? c0?.Select(0, idx) ?? Tensor.Zeros([batch, HiddenSize], x.DType) : null;
                (outs[dir], hn[idx], var cLast) = RunDirection(x, layer, dir, h, c, masks);
                if (cn is not null)
                    cn[idx] = cLast!;
            }
            x = NumDirections == 1 ? outs[0] : Tensor.Cat(outs, 2);
        }
        var output = unbatched ? x.Squeeze(1) : BatchFirst ? x.Transpose(0, 1) : x;
        var hN = Tensor.Stack(hn, 0);
        var cN = cn is null ? null : Tensor.Stack(cn, 0);
        if (unbatched)
        {
            hN = hN.Squeeze(1);
            cN = cN?.Squeeze(1);
        }
        return (output, hN, cN);
    }

    private Tensor? CheckState(Tensor? state, string what, bool unbatched, int batch, int states)
    {
        if (state is null)
            return null;
        int[] expected = unbatched ? [states, HiddenSize] : [states, batch, HiddenSize];
        if (!state.Shape.SequenceEqual(expected))
            throw new ArgumentException($"{TypeName}: expected {what} {ShapeText.Format(expected)} (num_layers·directions, batch, hidden_size), got {ShapeText.Of(state)}.");
        return unbatched ? state.Unsqueeze(1) : state;
    }

    // masks[t] is a [B, 1] bool tensor that is true where step t is valid, or null where every sequence is valid.
    private static Tensor?[] StepMasks(Tensor lengths, int steps, int batch, string name)
    {
        if (lengths.Rank != 1 || lengths.Size(0) != batch)
            throw new ArgumentException($"{name}: lengths must be 1-D with one entry per sequence ({batch}), got {ShapeText.Of(lengths)}.");
        long[] len = lengths.To(DType.Int64).ToArray<long>();
        foreach (long l in len)
            if (l < 1 || l > steps)
                throw new ArgumentException($"{name}: every length must be in 1..{steps} (the number of steps), got [{string.Join(",", len)}].");
        var masks = new Tensor?[steps];
        long min = len.Min();
        for (int t = (int)min; t < steps; t++)
            masks[t] = Tensor.From(len.Select(l => l > t).ToArray(), batch, 1);
        return masks;
    }

    private (Tensor Output, Tensor HN, Tensor? CN) RunDirection(Tensor x, int layer, int dir, Tensor h, Tensor? c, Tensor?[]? masks)
    {
        string suffix = ParamSuffix(layer, dir);
        var wIh = GetParameter("weight_ih" + suffix)!;
        var wHh = GetParameter("weight_hh" + suffix)!;
        var bIh = GetParameter("bias_ih" + suffix);
        var bHh = GetParameter("bias_hh" + suffix);
        int steps = x.Size(0), batch = x.Size(1), hidden = HiddenSize;

        // The GRU keeps b_hh apart: its n gate scales W_hn h + b_hn by r. The others fold both biases into the projection.
        var inBias = _kind == RecurrentKind.Gru || bIh is null ? bIh : bIh + bHh!;
        var projSteps = InputProjections(x, wIh, inBias);
        var hhBias = _kind == RecurrentKind.Gru ? bHh : null;

        var outputs = new Tensor[steps];
        Tensor? zeros = null;
        for (int s = 0; s < steps; s++)
        {
            int t = dir == 0 ? s : steps - 1 - s;
            var xp = projSteps[t];
            Tensor hNew, cNew = null!;
            switch (_kind)
            {
                case RecurrentKind.Lstm:
                {
                    var gates = xp + Functional.Linear(h, wHh);
                    var ifo = gates.Narrow(1, 0, 2 * hidden).Sigmoid();
                    var g = gates.Narrow(1, 2 * hidden, hidden).Tanh();
                    var o = gates.Narrow(1, 3 * hidden, hidden).Sigmoid();
                    cNew = ifo.Narrow(1, hidden, hidden) * c! + ifo.Narrow(1, 0, hidden) * g;
                    hNew = o * cNew.Tanh();
                    break;
                }
                case RecurrentKind.Gru:
                {
                    var hp = Functional.Linear(h, wHh, hhBias);
                    var rz = (xp.Narrow(1, 0, 2 * hidden) + hp.Narrow(1, 0, 2 * hidden)).Sigmoid();
                    var n = (xp.Narrow(1, 2 * hidden, hidden) + rz.Narrow(1, 0, hidden) * hp.Narrow(1, 2 * hidden, hidden)).Tanh();
                    hNew = n + rz.Narrow(1, hidden, hidden) * (h - n);
                    break;
                }
                default:
                {
                    var pre = xp + Functional.Linear(h, wHh);
                    hNew = _kind == RecurrentKind.RnnTanh ? pre.Tanh() : pre.Relu();
                    break;
                }
            }
            var mask = masks?[t];
            if (mask is null)
            {
                outputs[t] = hNew;
                h = hNew;
                c = cNew;
            }
            else
            {
                zeros ??= Tensor.Zeros([1, 1], hNew.DType);
                outputs[t] = Tensor.Where(mask, hNew, zeros);
                h = Tensor.Where(mask, hNew, h);
                if (c is not null)
                    c = Tensor.Where(mask, cNew, c);
            }
        }
        return (Tensor.Stack(outputs, 0), h, c);
    }

    /// <summary>Forces the number of steps per input-projection GEMM (tests compare 1, T and the default).</summary>
    internal static int? ProjectionBlockOverride { get; set; }

    // x W_ihᵀ + b for every step, as [B, G·H] tensors. The projection runs as one GEMM per block of b steps
    // ([b·B, in] @ [in, G·H]) rather than per step. b is not simply T because of the backward pass: a slice's backward
    // fills a zero tensor of the whole sliced tensor, so taking T step slices of one [T, B, G·H] projection costs
    // T² · B · G·H in backward (three quarters of an LSTM's backward time at T = 64), while blocks cost
    // (T/b)·T·B·in for slicing x plus T·b·B·G·H for slicing each block; b = √(T·in / G·H) balances the two.
    private static Tensor[] InputProjections(Tensor x, Tensor wIh, Tensor? bias)
    {
        int steps = x.Size(0), batch = x.Size(1), inSize = x.Size(2), g = wIh.Size(0);
        int block = ProjectionBlockOverride ?? (int)Math.Ceiling(Math.Sqrt((double)steps * inSize / g));
        block = Math.Clamp(block, 1, steps);
        var slices = new Tensor[steps];
        for (int start = 0; start < steps; start += block)
        {
            int len = Math.Min(block, steps - start);
            var xb = len == steps ? x : x.Narrow(0, start, len);
            var proj = Functional.Linear(xb.Reshape(len * batch, inSize), wIh, bias);
            if (len == 1)
                slices[start] = proj;
            else
            {
                var p3 = proj.View(len, batch, g);
                for (int t = 0; t < len; t++)
                    slices[start + t] = p3.Select(0, t);
            }
        }
        return slices;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var s = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1) s += $", num_layers={NumLayers}";
        if (!Bias) s += ", bias=False";
        if (BatchFirst) s += ", batch_first=True";
        if (Dropout != 0) s += $", dropout={Dropout.ToString(CultureInfo.InvariantCulture)}";
        if (Bidirectional) s += ", bidirectional=True";
        return s;
    }
}
