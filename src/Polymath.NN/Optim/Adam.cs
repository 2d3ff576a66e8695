using System.Numerics;
using System.Runtime.CompilerServices;

namespace Polymath.NN.Optim;

/// <summary>
/// Adam (PyTorch's <c>torch.optim.Adam</c>, same update): with L2 weight decay g ← g + wd·p; m ← β₁·m + (1 − β₁)·g;
/// v ← β₂·v + (1 − β₂)·g²; v̂ = max(v̂, v) with AMSGrad; p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε).
/// Group options: <c>lr</c>, <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>weight_decay</c>, <c>amsgrad</c> (0 or 1).
/// </summary>
/// <remarks>
/// Float32 parameters are updated by one fused, vectorised loop over managed copies of the parameter and gradient:
/// three copies and one pass, with no temporaries, against about a dozen passes and five temporaries for the same
/// update written with tensor ops. Other dtypes (float64) use the tensor-op form, which follows PyTorch's op order.
/// </remarks>
public class Adam : Optimizer
{
    // Elements per thread below which the fused loop is not split (thread hand-off costs more than it saves).
    private const long FusedChunk = 1 << 16;

    // Reusable float32 staging for the fused path: one parameter-sized array pair per distinct element count.
    private readonly Dictionary<long, (float[] Param, Tensor ParamT, float[] Grad, Tensor GradT)> _scratch = [];

    /// <summary>Creates the optimizer over <paramref name="parameters"/> (PyTorch's defaults; <c>betas=(beta1, beta2)</c>).</summary>
    /// <exception cref="ArgumentException">A negative lr, eps or weight decay, or a beta outside [0, 1).</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false)
    {
    }

    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
        : base(parameters, Options(("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps), ("weight_decay", weightDecay), ("amsgrad", amsgrad ? 1 : 0)))
    {
        Decoupled = decoupled;
    }

    /// <summary>True for AdamW: weight decay shrinks the parameter directly instead of adding to the gradient.</summary>
    public bool Decoupled { get; }

    /// <summary>When false, float32 parameters use the tensor-op path too (for tests comparing the two).</summary>
    internal bool UseFusedPath { get; set; } = true;

    /// <inheritdoc/>
    protected override void ValidateOptions(IReadOnlyDictionary<string, double> options)
    {
        base.ValidateOptions(options);
        Require(options, "beta1", v => v is >= 0 and < 1, "in [0, 1)");
        Require(options, "beta2", v => v is >= 0 and < 1, "in [0, 1)");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        double lr = group.Lr, beta1 = group["beta1"], beta2 = group["beta2"], eps = group["eps"], weightDecay = group["weight_decay"];
        bool amsgrad = group["amsgrad"] != 0;
        var expAvg = state.GetOrCreate("exp_avg", param);
        var expAvgSq = state.GetOrCreate("exp_avg_sq", param);
        var maxExpAvgSq = amsgrad ? state.GetOrCreate("max_exp_avg_sq", param) : null;
        long step = ++state.Step;
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        double stepSize = lr / biasCorrection1;

        if (UseFusedPath && param.DType == DType.Float32)
        {
            FusedFloat32(param, grad, state, lr, beta1, beta2, eps, weightDecay, amsgrad, stepSize, biasCorrection2Sqrt);
            return;
        }

        if (Decoupled)
            param.MulInPlace(1 - lr * weightDecay);
        else if (weightDecay != 0)
            grad = grad.Add(param, weightDecay);
        expAvg.MulInPlace(beta1).AddInPlace(grad, 1 - beta1);
        expAvgSq.MulInPlace(beta2).AddInPlace(grad.Square(), 1 - beta2);
        Tensor denom;
        if (maxExpAvgSq is not null)
        {
            maxExpAvgSq.CopyFrom(maxExpAvgSq.Maximum(expAvgSq));
            denom = maxExpAvgSq.Sqrt();
        }
        else
            denom = expAvgSq.Sqrt();
        denom.MulInPlace(1 / biasCorrection2Sqrt).AddInPlace(eps);
        param.AddInPlace(expAvg.Div(denom), -stepSize);
    }

    private void FusedFloat32(Tensor param, Tensor grad, ParamState state, double lr, double beta1, double beta2, double eps,
        double weightDecay, bool amsgrad, double stepSize, double biasCorrection2Sqrt)
    {
        long n = param.Numel;
        if (!_scratch.TryGetValue(n, out var s))
        {
            float[] p = new float[n], g = new float[n];
            _scratch[n] = s = (p, Tensor.Wrap(p, (int)n), g, Tensor.Wrap(g, (int)n));
        }
        s.ParamT.CopyFrom(param.Reshape(-1));
        s.GradT.CopyFrom(grad.Reshape(-1));
        var h = new AdamStep(
            Decay: Decoupled ? (float)(1 - lr * weightDecay) : 1f,
            L2: Decoupled ? 0f : (float)weightDecay,
            Beta1: (float)beta1, Beta2: (float)beta2,
            InvBiasCorrection2Sqrt: (float)(1 / biasCorrection2Sqrt), Eps: (float)eps, StepSize: (float)stepSize);
        float[] m = state.Array("exp_avg"), v = state.Array("exp_avg_sq");
        float[]? vMax = amsgrad ? state.Array("max_exp_avg_sq") : null;
        // Elementwise, so chunks are independent and the result does not depend on how they are split.
        int chunks = (int)Math.Min(Environment.ProcessorCount, (n + FusedChunk - 1) / FusedChunk);
        if (chunks <= 1)
            h.Run(s.Param, s.Grad, m, v, vMax);
        else
            Parallel.For(0, chunks, c =>
            {
                int start = (int)(n * c / chunks), length = (int)(n * (c + 1) / chunks) - start;
                h.Run(s.Param.AsSpan(start, length), s.Grad.AsSpan(start, length), m.AsSpan(start, length), v.AsSpan(start, length),
                    vMax is null ? default : vMax.AsSpan(start, length));
            });
        param.CopyFrom(s.ParamT.View(param.Shape));
    }

    // One Adam/AdamW update over flat float32 arrays; a vector body and a scalar tail doing the same arithmetic.
    private readonly record struct AdamStep(float Decay, float L2, float Beta1, float Beta2, float InvBiasCorrection2Sqrt, float Eps, float StepSize)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var decay = new Vector<float>(Decay);
                var l2 = new Vector<float>(L2);
                var b1 = new Vector<float>(Beta1);
                var c1 = new Vector<float>(1 - Beta1);
                var b2 = new Vector<float>(Beta2);
                var c2 = new Vector<float>(1 - Beta2);
                var inv = new Vector<float>(InvBiasCorrection2Sqrt);
                var eps = new Vector<float>(Eps);
                var step = new Vector<float>(StepSize);
                for (; i <= p.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var pi = new Vector<float>(p[i..]);
                    var gi = new Vector<float>(g[i..]) + l2 * pi;
                    pi *= decay;
                    var mi = b1 * new Vector<float>(m[i..]) + c1 * gi;
                    var vi = b2 * new Vector<float>(v[i..]) + c2 * gi * gi;
                    mi.CopyTo(m[i..]);
                    vi.CopyTo(v[i..]);
                    if (!vMax.IsEmpty)
                    {
                        vi = Vector.Max(new Vector<float>(vMax[i..]), vi);
                        vi.CopyTo(vMax[i..]);
                    }
                    var denom = Vector.SquareRoot(vi) * inv + eps;
                    (pi - step * mi / denom).CopyTo(p[i..]);
                }
            }
            for (; i < p.Length; i++)
            {
                float gi = g[i] + L2 * p[i];
                float pi = p[i] * Decay;
                float mi = m[i] = Beta1 * m[i] + (1 - Beta1) * gi;
                float vi = v[i] = Beta2 * v[i] + (1 - Beta2) * gi * gi;
                if (!vMax.IsEmpty)
                    vi = vMax[i] = Math.Max(vMax[i], vi);
                p[i] = pi - StepSize * mi / (MathF.Sqrt(vi) * InvBiasCorrection2Sqrt + Eps);
            }
        }
    }
}

/// <summary>
/// AdamW (PyTorch's <c>torch.optim.AdamW</c>): Adam with decoupled weight decay, p ← p·(1 − lr·wd) before the Adam
/// step, so decay does not pass through the adaptive denominator. Weight decay defaults to 0.01, as in PyTorch.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/> (PyTorch's defaults).</summary>
    /// <exception cref="ArgumentException">A negative lr, eps or weight decay, or a beta outside [0, 1).</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true)
    {
    }
}
