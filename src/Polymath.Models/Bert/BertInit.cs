namespace Polymath.Models.Bert;

/// <summary>BERT's initialisation (Hugging Face <c>_init_weights</c>): Linear and Embedding weights ~ N(0, initializer_range²), biases 0, the padding row 0, LayerNorm 1 and 0.</summary>
internal static class BertInit
{
    /// <summary>Re-initialises every Linear and Embedding under <paramref name="root"/>.</summary>
    public static void Apply(Module root, BertConfig config, Generator? generator)
    {
        using var _ = Tensor.NoGrad();
        root.Apply(m =>
        {
            switch (m)
            {
                case Linear l:
                    l.Weight.NormalInPlace(0, config.InitializerRange, generator);
                    l.Bias?.ZeroInPlace();
                    break;
                case Embedding e:
                    e.Weight.NormalInPlace(0, config.InitializerRange, generator);
                    if (e.PaddingIdx is int p)
                        e.Weight.Select(0, p).ZeroInPlace();
                    break;
            }
        });
    }
}
