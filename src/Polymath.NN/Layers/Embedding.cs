namespace Polymath.NN;

/// <summary>
/// A lookup table (PyTorch's nn.Embedding): int64 indices of any shape [*] select rows of weight
/// [num_embeddings, embedding_dim], giving [*, embedding_dim]. weight starts N(0, 1); the row at
/// <c>padding_idx</c>, if given, starts at zero and receives no gradient, so it stays a fixed "padding" vector.
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Creates the table.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or <paramref name="paddingIdx"/> outside [−num_embeddings, num_embeddings).</exception>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: num_embeddings and embedding_dim must be positive, got {numEmbeddings} and {embeddingDim}.");
        (NumEmbeddings, EmbeddingDim, PaddingIdx) = (numEmbeddings, embeddingDim, NormalizePaddingIdx(paddingIdx, numEmbeddings));
        var w = Init.Normal(Tensor.Zeros([numEmbeddings, embeddingDim], dtype), 0, 1, generator);
        if (PaddingIdx is int p)
            using (Tensor.NoGrad())
                w.Select(0, p).ZeroInPlace();
        Weight = RegisterParameter("weight", w);
    }

    /// <summary>
    /// An embedding whose table is a copy of <paramref name="embeddings"/> [num_embeddings, embedding_dim]
    /// (PyTorch's Embedding.from_pretrained); frozen (no gradient) unless <paramref name="freeze"/> is false.
    /// Unlike the constructor, the padding row keeps its given values.
    /// </summary>
    /// <exception cref="ArgumentException">The table is not 2-D floating point, or the padding index is out of range.</exception>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIdx = null)
    {
        if (embeddings.Rank != 2 || !embeddings.DType.IsFloatingPoint())
            throw new ArgumentException($"Embedding.FromPretrained: embeddings must be a 2-D floating tensor [num_embeddings, embedding_dim], got {LayerUtil.Shape(embeddings)} {embeddings.DType.Name()}.");
        var e = new Embedding(embeddings.Size(0), embeddings.Size(1), paddingIdx, embeddings.DType);
        using (Tensor.NoGrad())
            e.Weight.CopyFrom(embeddings);
        e.Weight.RequiresGrad = !freeze;
        return e;
    }

    private static int? NormalizePaddingIdx(int? paddingIdx, int numEmbeddings)
    {
        if (paddingIdx is not int p)
            return null;
        if (p < -numEmbeddings || p >= numEmbeddings)
            throw new ArgumentException($"Embedding: padding_idx {p} must be within num_embeddings ({numEmbeddings}), i.e. in [{-numEmbeddings}, {numEmbeddings}).");
        return p < 0 ? p + numEmbeddings : p;
    }

    /// <summary>Number of rows in the table (the vocabulary size).</summary>
    public int NumEmbeddings { get; }

    /// <summary>Length of each embedding vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The row that receives no gradient (normalised to non-negative), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>[num_embeddings, embedding_dim].</summary>
    public Tensor Weight { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The indices are not int64.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.DType != DType.Int64)
            throw new ArgumentException($"Embedding: indices must be int64, got {input.DType.Name()} {LayerUtil.Shape(input)}.");
        return Functional.Embedding(input, Weight, PaddingIdx);
    }

    /// <inheritdoc/>
    protected override void OnParameterReplaced(string name, Tensor value)
    {
        if (name == "weight") Weight = value;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}
