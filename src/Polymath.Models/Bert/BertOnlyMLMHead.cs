namespace Polymath.Models.Bert;

/// <summary>HF <c>BertOnlyMLMHead</c>, the <c>cls</c> module of BertForMaskedLM: it holds <c>predictions</c>.</summary>
public sealed class BertOnlyMLMHead : Module
{
    /// <summary>Creates the head.</summary>
    public BertOnlyMLMHead(BertConfig config, Embedding wordEmbeddings, Generator? generator = null) =>
        Predictions = RegisterModule("predictions", new BertLMPredictionHead(config, wordEmbeddings, generator));

    /// <summary>The prediction head.</summary>
    public BertLMPredictionHead Predictions { get; }
}
