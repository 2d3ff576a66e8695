namespace Polymath.Models.Bert;

/// <summary>HF <c>BertPooler</c>: tanh(<c>dense</c>(hidden state of the first token, [CLS])).</summary>
public sealed class BertPooler : Module<Tensor, Tensor>
{
    /// <summary>Creates dense [hidden → hidden].</summary>
    public BertPooler(BertConfig config, Generator? generator = null) =>
        Dense = RegisterModule("dense", new Linear(config.HiddenSize, config.HiddenSize, generator: generator));

    /// <summary>The projection.</summary>
    public Linear Dense { get; }

    /// <summary>Hidden states [B, T, C] → pooled [B, C].</summary>
    public override Tensor Forward(Tensor input) => Dense.Call(input.Select(1, 0)).Tanh();
}
