namespace Polymath.Models.Gpt;

/// <summary>
/// Rotary position embedding (RoFormer, Su et al. 2021) in the half-split layout: for head size d, feature i and
/// i + d/2 of a query or key at position p are rotated by angle p · base^(−2i/d). Relative positions then enter
/// q·k directly, and no position table is learned.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly Tensor _cos, _sin; // [positions, d]

    /// <summary>Precomputes the angles for <paramref name="maxPositions"/> positions and head size <paramref name="headDim"/>.</summary>
    public RotaryEmbedding(int headDim, int maxPositions, double theta = 10000)
    {
        HeadDim = headDim;
        int half = headDim / 2;
        var cos = new float[maxPositions * headDim];
        var sin = new float[maxPositions * headDim];
        for (int p = 0; p < maxPositions; p++)
            for (int i = 0; i < half; i++)
            {
                double angle = p * Math.Pow(theta, -2.0 * i / headDim);
                cos[p * headDim + i] = cos[p * headDim + i + half] = (float)Math.Cos(angle);
                sin[p * headDim + i] = sin[p * headDim + i + half] = (float)Math.Sin(angle);
            }
        _cos = Tensor.From(cos, maxPositions, headDim);
        _sin = Tensor.From(sin, maxPositions, headDim);
    }

    /// <summary>Head size the angles were made for.</summary>
    public int HeadDim { get; }

    /// <summary>Rotates x [B, H, T, d] whose first position is <paramref name="start"/>.</summary>
    public Tensor Apply(Tensor x, int start)
    {
        int t = x.Size(-2), half = HeadDim / 2;
        var cos = _cos.Narrow(0, start, t).To(x.DType);
        var sin = _sin.Narrow(0, start, t).To(x.DType);
        var x1 = x.Narrow(-1, 0, half);
        var x2 = x.Narrow(-1, half, half);
        var rotated = Tensor.Cat([x2.Neg(), x1], -1);
        return x * cos + rotated * sin;
    }
}
