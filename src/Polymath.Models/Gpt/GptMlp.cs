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
        (_cFcCall, _cProjCall) = (CFc, CProj);
    }

    /// <summary>Expansion, [embd, inner]. A wrapper put in its place (LoRA) keeps it as its base and is what the forward pass calls.</summary>
    public Conv1D CFc { get; private set; }

    /// <summary>Projection back, [inner, embd] (see <see cref="CFc"/> about wrappers).</summary>
    public Conv1D CProj { get; private set; }

    // What Forward calls: the Conv1D itself, or whatever module ReplaceModule put under c_fc / c_proj.
    private Module<Tensor, Tensor> _cFcCall, _cProjCall;

    /// <inheritdoc/>
    protected override void OnModuleReplacing(string name, Module old, Module replacement)
    {
        if (replacement is not Module<Tensor, Tensor> call)
            throw new ArgumentException($"GptMlp: '{name}' must be replaced by a Tensor → Tensor module, got {replacement.TypeName}.");
        if (name == "c_fc") { _cFcCall = call; if (replacement is Conv1D c) CFc = c; }
        else if (name == "c_proj") { _cProjCall = call; if (replacement is Conv1D c) CProj = c; }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = _cProjCall.Call(_cFcCall.Call(input).Gelu("tanh"));
        return Training && _dropout > 0 ? Functional.Dropout(y, _dropout, true, _generator) : y;
    }
}
