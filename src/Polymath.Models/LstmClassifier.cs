namespace Polymath.Models;

/// <summary>
/// A sequence classifier as in <c>../shared/peers/torch_workloads.py</c>: Embedding(64, 128) → LSTM(128 → 256, one
/// layer, batch_first) → Linear(256, 10) on the last layer's final hidden state h_n[-1]. Token input is int64 [B, T].
/// Built with <c>inputFeatures</c>, it instead reads float sequences [B, T, F] through a Linear(F, embed) projection
/// called <c>proj</c> (images [B, 1, H, W] are read as H steps of W features) — how the CLI trains it on MNIST.
/// Keys: <c>emb.weight</c> (or <c>proj.*</c>), <c>lstm.weight_ih_l0</c>, …, <c>fc.*</c>, as in the PyTorch module.
/// </summary>
public sealed class LstmClassifier : Module<Tensor, Tensor>
{
    /// <summary>Creates the classifier.</summary>
    /// <param name="vocabSize">Tokens in the embedding table (ignored with <paramref name="inputFeatures"/>).</param>
    /// <param name="embedDim">Embedding (LSTM input) size.</param>
    /// <param name="hiddenSize">LSTM hidden size.</param>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputFeatures">Null for token input; otherwise the features per step of float input.</param>
    /// <param name="generator">Random source for the initialisation (the default generator when null).</param>
    public LstmClassifier(int vocabSize = 64, int embedDim = 128, int hiddenSize = 256, int numClasses = 10, int? inputFeatures = null, Generator? generator = null)
    {
        if (inputFeatures is int f)
            Proj = RegisterModule("proj", new Linear(f, embedDim, generator: generator));
        else
            Emb = RegisterModule("emb", new Embedding(vocabSize, embedDim, generator: generator));
        Lstm = RegisterModule("lstm", new LSTM(embedDim, hiddenSize, batchFirst: true, generator: generator));
        Fc = RegisterModule("fc", new Linear(hiddenSize, numClasses, generator: generator));
    }

    /// <summary>The token embedding, or null for float input.</summary>
    public Embedding? Emb { get; }

    /// <summary>The input projection for float input, or null for tokens.</summary>
    public Linear? Proj { get; }

    /// <summary>The recurrent layer (batch_first).</summary>
    public LSTM Lstm { get; }

    /// <summary>The classifier on the last hidden state.</summary>
    public Linear Fc { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Tokens that are not int64 [B, T], or float input that is not [B, T, F] / [B, 1, T, F].</exception>
    public override Tensor Forward(Tensor input)
    {
        var x = Emb is not null ? Emb.Call(CheckTokens(input, nameof(LstmClassifier))) : Proj!.Call(SequenceView(input, Proj.InFeatures, nameof(LstmClassifier)));
        var hn = Lstm.Call(x).HN;
        return Fc.Call(hn.Select(0, hn.Size(0) - 1));
    }

    /// <summary>Token input for <paramref name="who"/>: int64 [B, T], returned as is.</summary>
    /// <exception cref="ArgumentException">Another type or rank, naming <paramref name="who"/>.</exception>
    public static Tensor CheckTokens(Tensor input, string who) =>
        input.DType == DType.Int64 && input.Rank == 2 ? input
            : throw new ArgumentException($"{who}: expected int64 tokens [B, T], got {input.DType.Name()} [{string.Join(",", input.Shape)}].");

    /// <summary>Float input for <paramref name="who"/> as [B, T, features]: [B, T, F] as is, [B, 1, T, F] (an image-like batch) reshaped.</summary>
    /// <exception cref="ArgumentException">Any other shape, naming <paramref name="who"/>.</exception>
    public static Tensor SequenceView(Tensor input, int features, string who)
    {
        var seq = input.Rank == 4 && input.Size(1) == 1 ? input.Reshape(input.Size(0), input.Size(2), input.Size(3)) : input;
        if (seq.Rank != 3 || seq.Size(2) != features)
            throw new ArgumentException($"{who}: expected float input [B, T, {features}] or [B, 1, T, {features}], got [{string.Join(",", input.Shape)}].");
        return seq;
    }
}
