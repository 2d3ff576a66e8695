using System.Text;

namespace Polymath.Tests;

/// <summary>
/// Checks the analytic gradients of <see cref="Tensor.Backward"/> against central finite differences in float64.
/// The output is reduced to a scalar with seeded random weights, L = Σ w·f(x), so every output element and every
/// input element is exercised by one backward pass; the numeric derivative perturbs each input element in place
/// (under <see cref="Tensor.NoGrad"/>), which keeps the input's layout, so non-contiguous leaves are tested as given.
/// </summary>
internal static class GradCheck
{
    /// <summary>Central-difference step. Truncation error is O(eps²·f''') ≈ 1e-12; rounding error ≈ 1e-16·|L|/eps ≈ 1e-9 for |L| ~ 10.</summary>
    public const double Eps = 1e-6;

    /// <summary>Absolute tolerance: a few times the rounding error of the numeric derivative (≈1e-9·|L|) for the O(1..100) sums used here.</summary>
    public const double AbsTol = 1e-6;

    /// <summary>Relative tolerance: the numeric derivative carries ~1e-9 relative rounding error plus truncation; 1e-5 leaves room without hiding real bugs (those are O(1) wrong).</summary>
    public const double RelTol = 1e-5;

    /// <summary>
    /// Runs f on <paramref name="inputs"/> (float64 leaves; each is set to require grad), back-propagates random output
    /// weights and compares each input's gradient with central differences. Returns a failure description or null.
    /// </summary>
    public static string? Check(Func<Tensor[], Tensor> f, Tensor[] inputs, int seed, double absTol = AbsTol, double relTol = RelTol)
    {
        foreach (var x in inputs)
        {
            if (x.DType != DType.Float64)
                return $"gradcheck expects float64 inputs, got {x.DType.Name()}";
            x.ZeroGrad();
            x.RequiresGrad = true;
        }
        var y = f(inputs);
        if (y.DType != DType.Float64)
            return $"output dtype is {y.DType.Name()}, expected float64";
        var rng = new System.Random(seed);
        var wData = new double[y.Numel];
        for (int i = 0; i < wData.Length; i++)
            wData[i] = rng.NextDouble() * 2 - 1;
        var w = Tensor.From(wData, y.Shape.Length == 0 ? [] : y.Shape).Reshape(y.Shape);
        if (y.RequiresGrad)
            y.Backward(w);
        else if (y.Numel > 0 && inputs.Any(t => t.Numel > 0))
            return "output does not require grad although its inputs do";

        var inputsBefore = inputs.Select(t => t.ToDoubleArray()).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            var g = x.Grad;
            if (g is not null && !g.Shape.SequenceEqual(x.Shape))
                return $"input {i}: gradient shape {Fmt(g.Shape)} differs from input shape {Fmt(x.Shape)}";
            double[] analytic = g?.ToDoubleArray() ?? new double[x.Numel];
            double[] numeric = Numeric(f, inputs, i, w);
            for (int j = 0; j < analytic.Length; j++)
            {
                double a = analytic[j], n = numeric[j];
                if (!(Math.Abs(a - n) <= absTol + relTol * Math.Abs(n)))
                {
                    sb.AppendLine($"input {i} {Fmt(x.Shape)} strides {Fmt(x.Strides)} element {j}: analytic {a:R} numeric {n:R} (diff {Math.Abs(a - n):E2})");
                    if (sb.Length > 2000)
                        return sb.ToString();
                }
            }
        }
        for (int i = 0; i < inputs.Length; i++)
            if (!inputs[i].ToDoubleArray().SequenceEqual(inputsBefore[i]))
                return $"input {i} was modified by the check";
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>dL/dx for every element of inputs[which], by central differences on L = Σ w·f(x).</summary>
    private static double[] Numeric(Func<Tensor[], Tensor> f, Tensor[] inputs, int which, Tensor w)
    {
        var x = inputs[which];
        var result = new double[x.Numel];
        using var _ = Tensor.NoGrad();
        int[] shape = x.Shape;
        for (long j = 0; j < result.Length; j++)
        {
            var element = ElementView(x, shape, j);
            double original = element.Item();
            element.FillInPlace(original + Eps);
            double plus = Loss(f, inputs, w);
            element.FillInPlace(original - Eps);
            double minus = Loss(f, inputs, w);
            element.FillInPlace(original);
            result[j] = (plus - minus) / (2 * Eps);
        }
        return result;
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor w)
    {
        var y = f(inputs);
        double s = 0;
        var yv = y.ToDoubleArray();
        var wv = w.ToDoubleArray();
        for (int i = 0; i < yv.Length; i++)
            s += yv[i] * wv[i];
        return s;
    }

    /// <summary>A 0-d view of the element at row-major position <paramref name="flat"/> (writes go to the input's storage).</summary>
    private static Tensor ElementView(Tensor x, int[] shape, long flat)
    {
        var index = new TensorIndex[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = (int)(flat % shape[d]);
            flat /= shape[d];
        }
        return x[index];
    }

    public static string Fmt(int[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>Seeded random float64 tensors in several memory layouts, for gradient and kernel checks.</summary>
internal static class TestData
{
    /// <summary>How a test tensor is laid out in memory: the logical values are the same in each.</summary>
    public enum Layout
    {
        /// <summary>Row-major dense.</summary>
        Contiguous,
        /// <summary>Stored with dims reversed and permuted back (a transposed view).</summary>
        Transposed,
        /// <summary>Every other element of a buffer twice as long in the last dim (a stepped slice, with an offset).</summary>
        Strided,
    }

    public static double[] Uniform(System.Random rng, long n, double lo, double hi)
    {
        var v = new double[n];
        for (long i = 0; i < n; i++)
            v[i] = lo + (hi - lo) * rng.NextDouble();
        return v;
    }

    /// <summary>Values uniform in [lo, hi] with |v| ≥ gap: keeps inputs away from kinks at 0.</summary>
    public static double[] AwayFromZero(System.Random rng, long n, double lo, double hi, double gap)
    {
        var v = new double[n];
        for (long i = 0; i < n; i++)
        {
            double t;
            do t = lo + (hi - lo) * rng.NextDouble();
            while (Math.Abs(t) < gap);
            v[i] = t;
        }
        return v;
    }

    public static long Numel(int[] shape) => shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>A float64 tensor with the given values (row-major) in the requested layout; always a leaf.</summary>
    public static Tensor Make(double[] values, int[] shape, Layout layout)
    {
        var c = Tensor.From(values, shape.Length == 0 ? [] : shape).Reshape(shape);
        using var _ = Tensor.NoGrad();
        switch (layout)
        {
            case Layout.Transposed when shape.Length >= 2:
            {
                var rev = Enumerable.Range(0, shape.Length).Reverse().ToArray();
                return c.Permute(rev).Contiguous().Permute(rev).Detach();
            }
            case Layout.Strided when shape.Length >= 1:
            {
                var big = shape.ToArray();
                big[^1] = big[^1] * 2 + 1;
                var buf = Tensor.Full(big, double.NaN, DType.Float64); // NaN padding: reading it would show
                var view = buf.Slice(-1, 1, null, 2);
                view.CopyFrom(c);
                return view.Detach();
            }
            default:
                return c.Detach();
        }
    }

    public static Tensor Rand(System.Random rng, int[] shape, Layout layout = Layout.Contiguous, double lo = -2, double hi = 2)
        => Make(Uniform(rng, Numel(shape), lo, hi), shape, layout);
}
