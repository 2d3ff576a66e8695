using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Trotter–Suzuki circuits: exactness for commuting terms, symbolic time, and the error order fitted on TFIM chains.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class TrotterTests(ITestOutputHelper output)
{
    private static double Error(Circuit c, StateVector start, Complex[] exact)
    {
        var s = start.Clone();
        c.ApplyTo(s);
        var a = s.ToArray();
        double e = 0;
        for (int i = 0; i < a.Length; i++) e += (a[i] - exact[i]).Magnitude * (a[i] - exact[i]).Magnitude;
        return Math.Sqrt(e);
    }

    /// <summary>Least-squares slope of log(error) against log(r).</summary>
    private static double Slope(int[] rs, double[] errors)
    {
        var x = rs.Select(r => Math.Log(r)).ToArray();
        var y = errors.Select(e => Math.Log(e)).ToArray();
        double mx = x.Average(), my = y.Average();
        return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void ErrorOrderIsOneForFirstAndTwoForSecondOrder(int n)
    {
        const double t = 1.0;
        var h = SpinChains.TransverseFieldIsing(n, 1.0, 1.0, periodic: true);
        Assert.False(h.TermsCommute());
        var start = StateVector.FromAmplitudes(Dense.RandomState(n, new Random(n)));
        var exact = TimeEvolution.Evolve(h, start, t).ToArray();
        int[] rs = [4, 8, 16, 32, 64];
        var time = new Parameter("t");
        var bind = new Dictionary<string, double> { ["t"] = t };
        var e1 = rs.Select(r => Error(Trotter.FirstOrder(h, time, r).Bind(bind), start, exact)).ToArray();
        var e2 = rs.Select(r => Error(Trotter.SecondOrder(h, time, r).Bind(bind), start, exact)).ToArray();
        double s1 = Slope(rs, e1), s2 = Slope(rs, e2);
        output.WriteLine($"n={n}: first order {string.Join(", ", e1.Select(e => e.ToString("E3")))} slope {s1:F3}");
        output.WriteLine($"n={n}: second order {string.Join(", ", e2.Select(e => e.ToString("E3")))} slope {s2:F3}");
        Assert.InRange(s1, -1.1, -0.9);
        Assert.InRange(s2, -2.1, -1.9);
        for (int k = 0; k < rs.Length; k++) Assert.True(e2[k] < e1[k]);
    }

    [Fact]
    public void ErrorGrowsAsTSquaredAndTCubedAtFixedSteps()
    {
        // At fixed r and small t the one-step errors are ∝ t² (first order) and t³ (second order).
        var h = SpinChains.TransverseFieldIsing(6, 1.0, 0.8);
        var start = new StateVector(6);
        double[] ts = [0.02, 0.04, 0.08];
        var e1 = ts.Select(t => Error(Trotter.FirstOrder(h, t, 1), start, TimeEvolution.Evolve(h, start, t).ToArray())).ToArray();
        var e2 = ts.Select(t => Error(Trotter.SecondOrder(h, t, 1), start, TimeEvolution.Evolve(h, start, t).ToArray())).ToArray();
        for (int k = 1; k < ts.Length; k++)
        {
            Assert.InRange(Math.Log2(e1[k] / e1[k - 1]), 1.9, 2.1);
            Assert.InRange(Math.Log2(e2[k] / e2[k - 1]), 2.85, 3.15);
        }
    }

    [Fact]
    public void CommutingTermsAreExactInOneStep()
    {
        var h = PauliSum.Parse("0.7*ZZI - 0.4*IZZ + 1.1*ZIZ + 0.3*IIZ + 0.5*III");
        Assert.True(h.TermsCommute());
        var start = StateVector.FromAmplitudes(Dense.RandomState(3, new Random(1)));
        var exact = TimeEvolution.EvolveDense(h, start, 2.3).ToArray();
        Assert.True(Error(Trotter.FirstOrder(h, 2.3, 1), start, exact) < 1e-13);
        Assert.True(Error(Trotter.SecondOrder(h, 2.3, 1), start, exact) < 1e-13);
    }

    [Fact]
    public void SymbolicTimeBindsToTheNumericCircuit()
    {
        var h = SpinChains.Heisenberg(3, 1.0, 0.5, 0.8, field: 0.2);
        var t = new Parameter("t");
        var symbolic = Trotter.SecondOrder(h, 2.0 * (ParameterExpression)t, 3);
        Assert.Equal(["t"], symbolic.Parameters);
        var bound = symbolic.Bind(new Dictionary<string, double> { ["t"] = 0.35 });
        Assert.True(Dense.MaxDiff(bound.ToMatrix(), Trotter.SecondOrder(h, 0.7, 3).ToMatrix()) < 1e-14);
        // Second order with r steps uses (2K − 1)·r exponentials for K terms (the middle pair merged).
        Assert.Equal((2 * h.Count - 1) * 3, Trotter.SecondOrder(h, 0.7, 3).Size);
        Assert.Equal(h.Count * 3, Trotter.FirstOrder(h, 0.7, 3).Size);
    }
}
