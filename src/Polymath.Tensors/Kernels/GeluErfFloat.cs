using System.Numerics.Tensors;

namespace Polymath.Kernels;

/// <summary>
/// float32 GELU (exact, erf form) and its derivative for spans, in vector passes over L1-sized chunks. erf comes from
/// Abramowitz &amp; Stegun 7.1.26 (|error| ≤ 1.5e-7, below float32's resolution of erf near 1) sharing one
/// exp(−x²/2) with the derivative's Gaussian term. The scalar double path (<see cref="SpecialFunctions.Erf"/>) stays the
/// reference and serves float64; it summed a series per element, which made BERT's feed-forward backward the bulk
/// of a training step.
/// </summary>
internal static class GeluErfFloat
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;
    private const float P = 0.3275911f;
    private const float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const int Chunk = 512;

    /// <summary>d = 0.5 x (1 + erf(x/√2)).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> d)
    {
        Span<float> erf = stackalloc float[Chunk];
        Span<float> gauss = stackalloc float[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var xs = x.Slice(i, n);
            var es = erf[..n];
            ErfAndGaussian(xs, es, gauss[..n]);
            var ds = d.Slice(i, n);
            TensorPrimitives.Add(es, 1f, es);
            TensorPrimitives.Multiply(es, xs, ds);
            TensorPrimitives.Multiply(ds, 0.5f, ds);
        }
    }

    /// <summary>d = g · [0.5 (1 + erf(x/√2)) + x·φ(x)], φ the standard normal density.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> d)
    {
        Span<float> erf = stackalloc float[Chunk];
        Span<float> gauss = stackalloc float[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var xs = x.Slice(i, n);
            var es = erf[..n];
            var gs = gauss[..n];
            ErfAndGaussian(xs, es, gs);
            var ds = d.Slice(i, n);
            TensorPrimitives.Multiply(gs, xs, gs);                  // x e^{−x²/2}
            TensorPrimitives.Multiply(gs, InvSqrt2Pi, gs);          // x φ(x)
            TensorPrimitives.Add(es, 1f, es);
            TensorPrimitives.MultiplyAdd(es, 0.5f, gs, es);         // 0.5 (1 + erf) + x φ(x)
            TensorPrimitives.Multiply(es, g.Slice(i, n), ds);
        }
    }

    /// <summary>erf(x/√2) into <paramref name="erf"/> and exp(−x²/2) into <paramref name="gauss"/>.</summary>
    private static void ErfAndGaussian(ReadOnlySpan<float> x, Span<float> erf, Span<float> gauss)
    {
        TensorPrimitives.Abs(x, gauss);
        TensorPrimitives.Multiply(gauss, InvSqrt2, gauss);          // a = |x|/√2
        TensorPrimitives.Multiply(gauss, P, erf);
        TensorPrimitives.Add(erf, 1f, erf);
        TensorPrimitives.Reciprocal(erf, erf);                      // t = 1/(1 + p a)
        TensorPrimitives.Multiply(gauss, gauss, gauss);
        TensorPrimitives.Negate(gauss, gauss);
        FastExp.Exp(gauss, gauss);                                  // e^{−a²} = e^{−x²/2}
        Span<float> poly = stackalloc float[erf.Length];
        TensorPrimitives.Multiply(erf, A5, poly);                   // Horner: ((((a5 t + a4) t + a3) t + a2) t + a1) t
        TensorPrimitives.Add(poly, A4, poly);
        TensorPrimitives.MultiplyAdd(poly, erf, A3, poly);
        TensorPrimitives.MultiplyAdd(poly, erf, A2, poly);
        TensorPrimitives.MultiplyAdd(poly, erf, A1, poly);
        TensorPrimitives.Multiply(poly, erf, poly);
        TensorPrimitives.Multiply(poly, gauss, poly);
        TensorPrimitives.Subtract(1f, poly, erf);                   // erf(a) = 1 − poly · e^{−a²}
        TensorPrimitives.CopySign(erf, x, erf);                     // erf is odd
    }
}
