using Polymath.Models;

namespace Polymath.Scale.Compression;

/// <summary>
/// A one-layer, one-direction LSTM with dynamically quantized int8 weights (PyTorch's dynamic quantized LSTM): the
/// input projection W_ih·x_t + b_ih runs for all steps at once and the recurrent W_hh·h + b_hh at each step, both as
/// <see cref="QuantizedLinear"/> layers whose inputs are quantized per call; the gate nonlinearities and the cell state
/// stay float32. Gates are i, f, g, o as in <see cref="LSTM"/>. Inference only.
/// </summary>
public sealed class QuantizedLstm : Module<Tensor, Tensor>
{
    /// <summary>Quantizes <paramref name="lstm"/>.</summary>
    /// <exception cref="NotQuantizableException">Several layers, a bidirectional LSTM, or one without biases.</exception>
    public QuantizedLstm(LSTM lstm, string name = "lstm")
    {
        if (lstm.NumLayers != 1 || lstm.Bidirectional)
            throw new NotQuantizableException(name, "LSTM", $"only one layer, one direction is supported (has {lstm.NumLayers} layer(s){(lstm.Bidirectional ? ", bidirectional" : "")})");
        if (!lstm.Bias)
            throw new NotQuantizableException(name, "LSTM", "an LSTM without biases is not supported");
        (HiddenSize, BatchFirst) = (lstm.HiddenSize, lstm.BatchFirst);
        Input = RegisterModule("ih", Quantized(lstm.GetParameter("weight_ih_l0")!, lstm.GetParameter("bias_ih_l0")!));
        Recurrent = RegisterModule("hh", Quantized(lstm.GetParameter("weight_hh_l0")!, lstm.GetParameter("bias_hh_l0")!));
    }

    /// <summary>Builds the layer from its two int8 projections (as <see cref="CompressedSafetensors"/> loads it).</summary>
    /// <param name="input">W_ih, b_ih: [4H, F].</param>
    /// <param name="recurrent">W_hh, b_hh: [4H, H].</param>
    /// <param name="batchFirst">Input [B, T, F] (true) or [T, B, F].</param>
    /// <exception cref="ArgumentException">The projections' sizes do not form an LSTM (gates i, f, g, o of H features each).</exception>
    public QuantizedLstm(QuantizedLinear input, QuantizedLinear recurrent, bool batchFirst = true)
    {
        int hs = recurrent.InFeatures;
        if (recurrent.OutFeatures != 4 * hs || input.OutFeatures != 4 * hs)
            throw new ArgumentException($"QuantizedLstm: W_hh is [{recurrent.OutFeatures}, {recurrent.InFeatures}] and W_ih [{input.OutFeatures}, {input.InFeatures}]; " +
                $"both need 4·hidden = {4 * hs} rows (W_hh [4H, H]).");
        (HiddenSize, BatchFirst) = (hs, batchFirst);
        Input = RegisterModule("ih", input);
        Recurrent = RegisterModule("hh", recurrent);
    }

    private static QuantizedLinear Quantized(Tensor weight, Tensor bias)
    {
        int rows = weight.Size(0), cols = weight.Size(1);
        var (q, s) = Quantize.WeightsPerChannel(weight.Detach().To(DType.Float32).ToArray(), rows, cols);
        return new QuantizedLinear(q, s, rows, cols, bias.Detach().To(DType.Float32).ToArray(), null);
    }

    /// <summary>Hidden features.</summary>
    public int HiddenSize { get; }

    /// <summary>Input [B, T, F] (true) or [T, B, F].</summary>
    public bool BatchFirst { get; }

    /// <summary>W_ih, b_ih in int8.</summary>
    public QuantizedLinear Input { get; }

    /// <summary>W_hh, b_hh in int8.</summary>
    public QuantizedLinear Recurrent { get; }

    /// <summary>The final hidden state h_T [B, H] for input [B, T, F] (batch first) or [T, B, F].</summary>
    /// <exception cref="ArgumentException">The input is not rank 3 with the LSTM's input features.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3 || input.Size(2) != Input.InFeatures)
            throw new ArgumentException($"QuantizedLstm: expected input [B, T, {Input.InFeatures}], got [{string.Join(",", input.Shape)}].");
        var x = BatchFirst ? input : input.Transpose(0, 1);
        int b = x.Size(0), steps = x.Size(1), hs = HiddenSize;
        using var _ = Tensor.NoGrad();
        var xg = Input.Call(x.Contiguous()); // [B, T, 4H]
        var h = Tensor.Zeros(b, hs);
        var c = Tensor.Zeros(b, hs);
        for (int t = 0; t < steps; t++)
        {
            var gates = xg.Select(1, t) + Recurrent.Call(h);
            var i = gates.Narrow(1, 0, hs).Sigmoid();
            var f = gates.Narrow(1, hs, hs).Sigmoid();
            var g = gates.Narrow(1, 2 * hs, hs).Tanh();
            var o = gates.Narrow(1, 3 * hs, hs).Sigmoid();
            c = f * c + i * g;
            h = o * c.Tanh();
        }
        return h;
    }
}

/// <summary>
/// <see cref="LstmClassifier"/> with dynamic int8 quantization: the float-input projection (or the float embedding),
/// the LSTM (<see cref="QuantizedLstm"/>) and the classifier head in int8.
/// </summary>
public sealed class QuantizedLstmClassifier : Module<Tensor, Tensor>
{
    /// <summary>Quantizes <paramref name="model"/> (which is not changed).</summary>
    public QuantizedLstmClassifier(LstmClassifier model)
    {
        Emb = model.Emb is null ? null : RegisterModule("emb", model.Emb);
        Proj = model.Proj is null ? null : RegisterModule("proj", QuantizedLinear.FromFloat(model.Proj, null));
        Lstm = RegisterModule("lstm", new QuantizedLstm(model.Lstm));
        Fc = RegisterModule("fc", QuantizedLinear.FromFloat(model.Fc, null));
    }

    /// <summary>Builds the classifier from its parts (as <see cref="CompressedSafetensors"/> loads it): exactly one of
    /// <paramref name="emb"/> (token input) and <paramref name="proj"/> (float input).</summary>
    /// <exception cref="ArgumentException">Both or neither input layer, or sizes that do not chain.</exception>
    public QuantizedLstmClassifier(Embedding? emb, QuantizedLinear? proj, QuantizedLstm lstm, QuantizedLinear fc)
    {
        if ((emb is null) == (proj is null))
            throw new ArgumentException("QuantizedLstmClassifier: give exactly one input layer, an embedding (tokens) or a projection (float input).");
        int width = emb?.EmbeddingDim ?? proj!.OutFeatures;
        if (width != lstm.Input.InFeatures)
            throw new ArgumentException($"QuantizedLstmClassifier: the {(emb is null ? "projection" : "embedding")} gives {width} features, the LSTM takes {lstm.Input.InFeatures}.");
        if (fc.InFeatures != lstm.HiddenSize)
            throw new ArgumentException($"QuantizedLstmClassifier: the classifier takes {fc.InFeatures} features, the LSTM gives {lstm.HiddenSize}.");
        Emb = emb is null ? null : RegisterModule("emb", emb);
        Proj = proj is null ? null : RegisterModule("proj", proj);
        Lstm = RegisterModule("lstm", lstm);
        Fc = RegisterModule("fc", fc);
    }

    /// <summary>The float embedding for token input, or null.</summary>
    public Embedding? Emb { get; }

    /// <summary>The int8 input projection for float input, or null.</summary>
    public QuantizedLinear? Proj { get; }

    /// <summary>The int8 LSTM.</summary>
    public QuantizedLstm Lstm { get; }

    /// <summary>The int8 classifier head.</summary>
    public QuantizedLinear Fc { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Input of the wrong type or shape (as <see cref="LstmClassifier"/>).</exception>
    public override Tensor Forward(Tensor input)
    {
        Tensor x;
        if (Emb is not null)
        {
            var tokens = LstmClassifier.CheckTokens(input, nameof(QuantizedLstmClassifier));
            using (Tensor.NoGrad()) x = Emb.Call(tokens);
        }
        else
            x = Proj!.Call(LstmClassifier.SequenceView(input, Proj.InFeatures, nameof(QuantizedLstmClassifier)));
        return Fc.Call(Lstm.Call(x));
    }
}
