namespace Polymath.Models.Gpt;

/// <summary>How <see cref="GptModel.Generate"/> picks each next token.</summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits; 0 means greedy (always the most likely token).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens (null: all).</summary>
    public int? TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling; null: all).</summary>
    public double? TopP { get; init; }

    /// <summary>Seed of the draws; the same seed, prompt and model give the same text.</summary>
    public ulong Seed { get; init; } = 1337;

    /// <summary>Use the key/value cache (the result is the same either way; the cache is faster).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <exception cref="ArgumentOutOfRangeException">Negative temperature, k &lt; 1 or p outside (0, 1].</exception>
    internal void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"sampling: temperature must be a finite number ≥ 0, got {Temperature}.");
        if (TopK is < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), $"sampling: top-k must be ≥ 1, got {TopK}.");
        if (TopP is double p && !(p > 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), $"sampling: top-p must be in (0, 1], got {p}.");
    }
}
