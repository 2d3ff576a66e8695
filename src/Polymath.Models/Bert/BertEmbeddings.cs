using System.Globalization;

namespace Polymath.Models.Bert;

/// <summary>
/// BERT's input embedding (HF <c>BertEmbeddings</c>): <c>word_embeddings</c> + <c>position_embeddings</c> (absolute, learned)
/// + <c>token_type_embeddings</c> (segments), then <c>LayerNorm</c> and dropout.
/// </summary>
public sealed class BertEmbeddings : Module
{
    private readonly BertConfig _config;
    private readonly Generator? _generator;

    /// <summary>Creates the tables (initialised by the owning model).</summary>
    public BertEmbeddings(BertConfig config, Generator? generator = null)
    {
        _config = config;
        _generator = generator;
        WordEmbeddings = RegisterModule("word_embeddings", new Embedding(config.VocabSize, config.HiddenSize, config.PadTokenId, generator: generator));
        PositionEmbeddings = RegisterModule("position_embeddings", new Embedding(config.MaxPositionEmbeddings, config.HiddenSize, generator: generator));
        TokenTypeEmbeddings = RegisterModule("token_type_embeddings", new Embedding(config.TypeVocabSize, config.HiddenSize, generator: generator));
        LayerNorm = RegisterModule("LayerNorm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
    }

    /// <summary>Token embedding [vocab, hidden]; the MLM decoder shares it.</summary>
    public Embedding WordEmbeddings { get; }

    /// <summary>Position embedding [max_positions, hidden].</summary>
    public Embedding PositionEmbeddings { get; }

    /// <summary>Segment embedding [type_vocab, hidden].</summary>
    public Embedding TokenTypeEmbeddings { get; }

    /// <summary>The norm after the sum.</summary>
    public LayerNorm LayerNorm { get; }

    /// <summary>Ids [B, T] int64 and optional segment ids [B, T] int64 (zeros when null) → [B, T, hidden].</summary>
    /// <exception cref="ArgumentException">Ids not [B, T] int64, segment ids of another shape, or T above max_position_embeddings.</exception>
    public Tensor Forward(Tensor inputIds, Tensor? tokenTypeIds = null)
    {
        if (inputIds.Rank != 2 || inputIds.DType != DType.Int64)
            throw new ArgumentException($"BERT: expected input ids [B, T] int64, got [{string.Join(",", inputIds.Shape)}] {inputIds.DType}.");
        int t = inputIds.Size(1);
        if (t > _config.MaxPositionEmbeddings)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"BERT: sequence of {t} tokens is longer than max_position_embeddings {_config.MaxPositionEmbeddings}."));
        if (tokenTypeIds is not null && (tokenTypeIds.DType != DType.Int64 || !tokenTypeIds.Shape.SequenceEqual(inputIds.Shape)))
            throw new ArgumentException($"BERT: token type ids must be int64 of the ids' shape [{string.Join(",", inputIds.Shape)}], got [{string.Join(",", tokenTypeIds.Shape)}] {tokenTypeIds.DType}.");
        var x = WordEmbeddings.Call(inputIds) + PositionEmbeddings.Call(Tensor.Arange(0, t));
        // Segment 0 everywhere: one row of the table broadcast, instead of a lookup of zeros.
        x = x + (tokenTypeIds is null ? TokenTypeEmbeddings.Weight.Select(0, 0) : TokenTypeEmbeddings.Call(tokenTypeIds));
        x = LayerNorm.Call(x);
        return Training && _config.HiddenDropoutProb > 0 ? Functional.Dropout(x, _config.HiddenDropoutProb, true, _generator) : x;
    }
}
