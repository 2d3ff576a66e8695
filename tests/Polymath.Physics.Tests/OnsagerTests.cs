using Polymath.Physics;
using Xunit;

namespace Polymath.Physics.Tests;

/// <summary>The exact formulas themselves, against independent values.</summary>
public class OnsagerTests
{
    [Fact]
    public void CriticalTemperatureAndLimits()
    {
        Assert.Equal(2.269185314213022, Onsager.CriticalTemperature, 12);
        Assert.Equal(-Math.Sqrt(2), Onsager.EnergyPerSpin(Onsager.CriticalTemperature), 10);   // u(T_c) = −√2
        Assert.Equal(-2.0, Onsager.EnergyPerSpin(0.1), 10);                                     // ground state: 2 bonds per spin
        Assert.Equal(1.0, Onsager.SpontaneousMagnetization(0.1), 12);
        Assert.Equal(0.0, Onsager.SpontaneousMagnetization(2.3));
    }

    [Fact]
    public void EllipticKMatchesQuadrature()
    {
        foreach (double k in new[] { 0.0, 0.3, 0.9, 0.999 })
        {
            // Simpson's rule on a fine grid: independent of the AGM.
            int n = 200_000;
            double h = Math.PI / 2 / n, sum = 0;
            for (int i = 0; i <= n; i++)
            {
                double th = i * h, f = 1 / Math.Sqrt(1 - k * k * Math.Sin(th) * Math.Sin(th));
                sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
            }
            Assert.Equal(sum * h / 3, Onsager.EllipticK(k), 9);
        }
        Assert.Equal(Math.PI / 2, Onsager.EllipticK(0), 15);
    }

    [Fact]
    public void EnergyMatchesHighTemperatureSeries()
    {
        // High-temperature expansion with v = tanh β: ln Z/N = ln(2cosh²β) + v⁴ + 2v⁶ + …, so
        // u = −d(ln Z/N)/dβ = −2v − (1 − v²)(4v³ + 12v⁵) + O(v⁷).
        double t = 20, v = Math.Tanh(1 / t);
        Assert.Equal(-2 * v - (1 - v * v) * (4 * v * v * v + 12 * Math.Pow(v, 5)), Onsager.EnergyPerSpin(t), 7);
        // Known value at T = 1.5 (Onsager's formula evaluated independently, e.g. with SciPy's ellipk): u = −1.95056
        Assert.Equal(-1.950, Onsager.EnergyPerSpin(1.5), 2);
    }

    [Fact]
    public void RejectsBadTemperature()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Onsager.EnergyPerSpin(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Onsager.SpontaneousMagnetization(-1));
    }
}
