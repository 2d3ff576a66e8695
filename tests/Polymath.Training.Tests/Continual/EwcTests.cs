using Polymath.Models;
using Polymath.Training.Continual;

namespace Polymath.Training.Tests.Continual;

public class EwcTests
{
    private static Mlp Model64(ulong seed)
    {
        var m = new Mlp(3, [4], 2, new Generator(seed));
        m.To(DType.Float64);
        return m;
    }

    private static Tensor[] RandomPositive(IEnumerable<Tensor> like, ulong seed)
    {
        var g = new Generator(seed);
        return like.Select(p =>
        {
            var v = new double[p.Numel];
            g.FillUniform(v, 0.1, 2.0);
            return Tensor.From(v, p.Shape);
        }).ToArray();
    }

    private static void Perturb(IEnumerable<Tensor> parameters, ulong seed)
    {
        var g = new Generator(seed);
        using (Tensor.NoGrad())
            foreach (var p in parameters)
            {
                var d = new double[p.Numel];
                g.FillNormal(d, 0, 0.3);
                p.AddInPlace(Tensor.From(d, p.Shape));
            }
    }

    // (λ/2) Σ F (θ − θ*)² by a plain loop over the elements.
    private static double ReferencePenalty(double lambda, IReadOnlyList<Tensor> theta, IReadOnlyList<double[]> anchor, IReadOnlyList<double[]> fisher)
    {
        double s = 0;
        for (int k = 0; k < theta.Count; k++)
        {
            var t = theta[k].ToArray<double>();
            for (int i = 0; i < t.Length; i++)
                s += fisher[k][i] * (t[i] - anchor[k][i]) * (t[i] - anchor[k][i]);
        }
        return lambda / 2 * s;
    }

    [Fact]
    public void PenaltyAndItsGradientMatchALoopAndFiniteDifferencesInFloat64()
    {
        var model = Model64(3);
        var ps = model.Parameters().ToArray();
        var fisher = RandomPositive(ps, 5);
        var ewc = new EwcStrategy(lambda: 7.5);
        Assert.Null(ewc.Penalty(ps));
        ewc.Consolidate(ps, fisher);
        var anchor = ps.Select(p => p.ToArray<double>()).ToArray();
        var f = fisher.Select(t => t.ToArray<double>()).ToArray();
        Assert.Equal(0.0, ewc.Penalty(ps)!.Item(), 15); // at the anchor
        Perturb(ps, 11);

        var penalty = ewc.Penalty(ps)!;
        Assert.Equal(ReferencePenalty(7.5, ps, anchor, f), penalty.Item(), 12);
        model.ZeroGrad();
        penalty.Backward();
        const double h = 1e-6;
        for (int k = 0; k < ps.Length; k++)
        {
            var grad = ps[k].Grad!.ToArray<double>();
            for (int i = 0; i < ps[k].Numel; i++)
            {
                double Eval(double delta)
                {
                    using (Tensor.NoGrad())
                    {
                        var v = ps[k].ToArray<double>();
                        double old = v[i];
                        v[i] = old + delta;
                        ps[k].CopyFrom(Tensor.From(v, ps[k].Shape));
                        double r = ReferencePenalty(7.5, ps, anchor, f);
                        v[i] = old;
                        ps[k].CopyFrom(Tensor.From(v, ps[k].Shape));
                        return r;
                    }
                }
                double numeric = (Eval(h) - Eval(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) < 1e-6 * (1 + Math.Abs(numeric)), $"param {k} element {i}: autograd {grad[i]}, finite difference {numeric}");
                Assert.Equal(7.5 * f[k][i] * (ps[k].ToArray<double>()[i] - anchor[k][i]), grad[i], 9); // λ F (θ − θ*)
            }
        }
    }

    [Fact]
    public void OnlineEwcDecaysAndAddsTheFisherAndMovesTheAnchor()
    {
        var model = Model64(4);
        var ps = model.Parameters().ToArray();
        var f1 = RandomPositive(ps, 1);
        var f2 = RandomPositive(ps, 2);
        var ewc = new EwcStrategy(lambda: 1, gamma: 0.6);
        ewc.Consolidate(ps, f1);
        Perturb(ps, 9);
        ewc.Consolidate(ps, f2);
        for (int k = 0; k < ps.Length; k++)
        {
            var expected = f1[k].ToArray<double>().Zip(f2[k].ToArray<double>(), (a, b) => 0.6 * a + b).ToArray();
            var got = ewc.Fisher![k].ToArray<double>();
            for (int i = 0; i < got.Length; i++)
                Assert.Equal(expected[i], got[i], 12);
            Assert.Equal(ps[k].ToArray<double>(), ewc.Anchor![k].ToArray<double>());
        }
        Assert.Throws<ArgumentException>(() => ewc.Consolidate(ps, f1.Take(1).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwcStrategy(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwcStrategy(1, gamma: 1.5));
    }

    [Fact]
    public void FisherOfASoftmaxRegressionMatchesTheHandComputedGradients()
    {
        // y = W x + b with W [3, 2]: per-sample ∂ℓ/∂W = (p − e_y) xᵀ and ∂ℓ/∂b = p − e_y for cross-entropy.
        var model = new Linear(2, 3, dtype: DType.Float64);
        double[] w = [0.3, -0.2, 0.1, 0.5, -0.4, 0.2], b = [0.05, -0.1, 0.0];
        using (Tensor.NoGrad())
        {
            model.GetParameter("weight")!.CopyFrom(Tensor.From(w, 3, 2));
            model.GetParameter("bias")!.CopyFrom(Tensor.From(b, 3));
        }
        double[][] xs = [[1.0, 2.0], [-0.5, 0.3], [0.7, -1.2], [2.0, 0.1]];
        long[] ys = [0, 2, 1, 1];
        var x = Tensor.From(xs.SelectMany(r => r).ToArray(), 4, 2);
        var y = Tensor.From(ys, 4);

        (double[] W, double[] B) Grad(int[] rows)
        {
            var gw = new double[6];
            var gb = new double[3];
            foreach (int n in rows)
            {
                var z = new double[3];
                for (int c = 0; c < 3; c++) z[c] = w[c * 2] * xs[n][0] + w[c * 2 + 1] * xs[n][1] + b[c];
                double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
                for (int c = 0; c < 3; c++)
                {
                    double r = Math.Exp(z[c] - max) / sum - (c == ys[n] ? 1 : 0);
                    gb[c] += r / rows.Length;
                    gw[c * 2] += r * xs[n][0] / rows.Length;
                    gw[c * 2 + 1] += r * xs[n][1] / rows.Length;
                }
            }
            return (gw, gb);
        }

        Func<Tensor, Tensor, Tensor> loss = (xb, yb) => Losses.CrossEntropy(model.Call(xb), yb);
        var perSample = FisherInformation.Estimate(model, loss, x, y);
        var fw = new double[6];
        var fb = new double[3];
        for (int n = 0; n < 4; n++)
        {
            var (gw, gb) = Grad([n]);
            for (int i = 0; i < 6; i++) fw[i] += gw[i] * gw[i] / 4;
            for (int i = 0; i < 3; i++) fb[i] += gb[i] * gb[i] / 4;
        }
        AssertClose(fw, perSample[0]);
        AssertClose(fb, perSample[1]);

        // Per batch of 2: (1/n) Σ_b m² ĝ_b²; with batch size 1 it equals the per-sample estimate.
        var perBatch = FisherInformation.Estimate(model, loss, x, y, FisherEstimator.PerBatch, batchSize: 2);
        Array.Clear(fw);
        Array.Clear(fb);
        foreach (var rows in new[] { new[] { 0, 1 }, [2, 3] })
        {
            var (gw, gb) = Grad(rows);
            for (int i = 0; i < 6; i++) fw[i] += 4 * gw[i] * gw[i] / 4;
            for (int i = 0; i < 3; i++) fb[i] += 4 * gb[i] * gb[i] / 4;
        }
        AssertClose(fw, perBatch[0]);
        AssertClose(fb, perBatch[1]);
        var batchOfOne = FisherInformation.Estimate(model, loss, x, y, FisherEstimator.PerBatch, batchSize: 1);
        AssertClose(perSample[0].ToArray<double>(), batchOfOne[0]);
        Assert.Null(model.GetParameter("weight")!.Grad); // gradients are left cleared
    }

    private static void AssertClose(double[] expected, Tensor actual)
    {
        var a = actual.ToArray<double>();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) < 1e-12, $"element {i}: expected {expected[i]}, got {a[i]}");
    }
}
