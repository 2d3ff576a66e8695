using Polymath.Physics;
using Xunit;

namespace Polymath.Physics.Tests;

/// <summary>Bookkeeping and limits of single chains, on every small size including odd ones and L = 2.</summary>
public class IsingChainTests
{
    [Theory]
    [InlineData(IsingAlgorithm.Metropolis)]
    [InlineData(IsingAlgorithm.Wolff)]
    public void RunningTotalsMatchARecount(IsingAlgorithm algorithm)
    {
        foreach (int l in new[] { 2, 3, 5, 8, 13 })
            foreach (double t in new[] { 1.0, 2.27, 5.0 })
            {
                var chain = new IsingChain(l, t, algorithm, seed: 4, chainIndex: (ulong)l, hotStart: true);
                for (int k = 0; k < 30; k++)
                {
                    chain.Sweep();
                    if (k == 10) chain.FixSweepLength();
                    Assert.Equal(chain.Lattice.Energy(), chain.Energy);
                    Assert.Equal(chain.Lattice.Magnetization(), chain.Magnetization);
                }
            }
    }

    [Fact]
    public void GroundStateAndInfiniteTemperatureLimits()
    {
        // At T = 0.1 Metropolis from the cold start never accepts an uphill move with measurable probability (e^−80).
        var cold = new IsingChain(16, 0.1, IsingAlgorithm.Metropolis, 1, 0);
        cold.Sweep(10);
        Assert.Equal(-2 * 256, cold.Energy);
        // At T = 5 (high temperature, ξ below one spacing) the cold start melts: |m| ends at O(1/L), far below 0.2.
        var hot = new IsingChain(64, 5, IsingAlgorithm.Metropolis, 1, 0);
        hot.Sweep(100);
        Assert.True(Math.Abs(hot.Magnetization) < 0.2 * 64 * 64, $"M = {hot.Magnetization}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new IsingChain(1, 2, IsingAlgorithm.Wolff, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IsingChain(8, -1, IsingAlgorithm.Wolff, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IsingChain(8, double.PositiveInfinity, IsingAlgorithm.Wolff, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IsingChain(8, 2, (IsingAlgorithm)7, 0, 0));
    }

    [Fact]
    public void VectorizedMetropolisMatchesScalarBitForBit()
    {
        foreach (int l in new[] { 33, 34, 35, 64, 67, 100, 130 })
            foreach (double t in new[] { 1.5, 2.27, 4.0 })
            {
                var vector = new IsingChain(l, t, IsingAlgorithm.Metropolis, seed: 8, chainIndex: 1, hotStart: true) { Vectorized = true };
                var scalar = new IsingChain(l, t, IsingAlgorithm.Metropolis, seed: 8, chainIndex: 1, hotStart: true) { Vectorized = false };
                for (int k = 0; k < 5; k++)
                {
                    vector.Sweep();
                    scalar.Sweep();
                    Assert.Equal(scalar.Lattice.Spins, vector.Lattice.Spins);
                    Assert.Equal(scalar.Energy, vector.Energy);
                    Assert.Equal(scalar.Magnetization, vector.Magnetization);
                    Assert.Equal(vector.Lattice.Energy(), vector.Energy);
                }
            }
    }

    [Fact]
    public void SameKeySameChain()
    {
        var a = new IsingChain(12, 2.3, IsingAlgorithm.Wolff, 9, 3);
        var b = new IsingChain(12, 2.3, IsingAlgorithm.Wolff, 9, 3);
        var c = new IsingChain(12, 2.3, IsingAlgorithm.Wolff, 9, 4);
        a.Sweep(20); b.Sweep(20); c.Sweep(20);
        Assert.Equal(a.Lattice.Spins, b.Lattice.Spins);
        Assert.NotEqual(a.Lattice.Spins, c.Lattice.Spins);
    }
}
