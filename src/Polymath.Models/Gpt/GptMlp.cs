namespace Polymath.Models.Gpt;

/// <summary>GPT-2's position-wise MLP: <c>c_fc</c> (embd → inner), GELU (tanh approximation, GPT-2's "gelu_new"), <c>c_proj</c> (inner → embd), dropout.</summary>
public sealed class GptMlp : Module<Tensor, Tensor>
{
    private readonly double _dropout;
    private readonly Generator? _generator;

    /// <summary>Creates the MLP; <c>c_proj</c> starts with std 0.02/√(2·layers).</summary>
    public GptMlp(GptConfig config, Generator? generator = null)
    {
        int inner = config.InnerDim ?? 4 * config.EmbeddingDim;
        _dropout = config.Dropout;
        _generator = generator;
        CFc = RegisterModule("c_fc", new Conv1D(config.EmbeddingDim, inner, generator: generator));
        CProj = RegisterModule("c_proj", new Conv1D(inner, config.EmbeddingDim, 0.02 / Math.Sqrt(2 * config.Layers), generator));
    }

    /// <summary>Expansion, [embd, inner].</summary>
    public Conv1D CFc { get; }

    /// <summary>Projection back, [inner, embd].</summary>
    public Conv1D CProj { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = CProj.Call(CFc.Call(input).Gelu("tanh"));
        return Training && _dropout > 0 ? Functional.Dropout(y, _dropout, true, _generator) : y;
    }
}
