using System.Diagnostics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Shor's algorithm: Beauregard's arithmetic as exact permutations, order finding vs theory, factoring.</summary>
public class ShorAlgorithmTests(ITestOutputHelper output)
{
    /// <summary>The multiplicative order by a plain loop.</summary>
    private static long ClassicalOrder(long a, long n)
    {
        long r = 1, v = a % n;
        while (v != 1) { v = v * a % n; r++; }
        return r;
    }

    /// <summary>Runs a unitary circuit on basis state |input⟩ and returns the basis state it lands on (asserting it is one).</summary>
    private static long Permute(Circuit c, long input)
    {
        var s = StateVector.Basis(c.NumQubits, input);
        c.ApplyTo(s);
        var p = s.Probabilities();
        int best = Array.IndexOf(p, p.Max());
        Assert.True(p[best] > 1 - 1e-9, $"input {input} does not map to a basis state (max probability {p[best]})");
        return best;
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(3L)]
    [InlineData(7L)]
    [InlineData(15L)]
    [InlineData(-5L)]
    public void PhiAddAddsInFourierSpace(long a)
    {
        const int m = 4;
        var c = Algorithms.Qft(m, swaps: false).Compose(Algorithms.Shor.PhiAdd(a, m)).Compose(Algorithms.InverseQft(m, swaps: false));
        for (long b = 0; b < 1 << m; b++) Assert.Equal(((b + a) % 16 + 16) % 16, Permute(c, b));
        Assert.True(Algorithms.Shor.PhiAdd(a, m).Size <= m);
    }

    [Theory]
    [InlineData(5L)]
    [InlineData(11L)]
    public void ModularAdderAddsModNOnlyWhenBothControlsAreSet(long n)
    {
        int bits = Algorithms.Shor.BitLength(n);
        int[] b = Enumerable.Range(2, bits + 1).ToArray();
        for (long a = 0; a < n; a += n == 11 ? 3 : 1)
        {
            var adder = Algorithms.Shor.ModularAdder(a, n);
            Assert.Equal(bits + 4, adder.NumQubits);
            var c = new Circuit(bits + 4).Compose(Algorithms.Qft(bits + 1, swaps: false), b).Compose(adder).Compose(Algorithms.InverseQft(bits + 1, swaps: false), b);
            for (long controls = 0; controls < 4; controls++)
                for (long v = 0; v < n; v++)
                {
                    long expected = controls == 3 ? (a + v) % n : v;
                    Assert.Equal(controls | expected << 2, Permute(c, controls | v << 2));   // ancilla (top qubit) back to 0
                }
        }
    }

    [Fact]
    public void ControlledMultiplierAddsAxModN()
    {
        const long n = 7, a = 3;
        var c = Algorithms.Shor.ControlledMultiplier(a, n);
        Assert.Equal(9, c.NumQubits);   // 2n + 3
        for (long ctrl = 0; ctrl < 2; ctrl++)
            for (long x = 0; x < 8; x++)
                for (long b = 0; b < n; b++)
                {
                    long expected = (b + ctrl * a * x) % n;
                    Assert.Equal(ctrl | x << 1 | expected << 4, Permute(c, ctrl | x << 1 | b << 4));
                }
    }

    [Theory]
    [InlineData(15L, 2L)]
    [InlineData(15L, 7L)]
    [InlineData(15L, 11L)]
    [InlineData(21L, 2L)]
    [InlineData(35L, 3L)]
    public void ControlledUIsMultiplicationByAModNOnTheWorkRegister(long n, long a)
    {
        int bits = Algorithms.Shor.BitLength(n);
        var c = Algorithms.Shor.ControlledModularMultiplication(a, n);
        Assert.Equal(2 * bits + 3, c.NumQubits);
        Assert.Equal(["ctrl", "x", "b", "anc"], c.QuantumRegisters.Select(r => r.Name));
        var xs = n == 35 ? new long[] { 1, 17, 34 } : Enumerable.Range(0, (int)n).Select(v => (long)v).ToArray();
        foreach (long x in xs)
        {
            Assert.Equal(x << 1, Permute(c, x << 1));                         // control 0: identity
            Assert.Equal(1 | (a * x % n) << 1, Permute(c, 1 | x << 1));       // control 1: x ↦ a·x mod N, b and ancilla back to 0
        }
    }

    [Theory]
    [InlineData(15L, 7L, 8)]
    [InlineData(15L, 4L, 8)]
    [InlineData(35L, 8L, 12)]
    public void OrderFindingDistributionIsExactWhenTheOrderIsAPowerOfTwo(long n, long a, int t)
    {
        // r | 2ᵗ: the phases s/r are exact, so y takes the r values s·2ᵗ/r with probability 1/r each.
        long r = ClassicalOrder(a, n);
        var circuit = Algorithms.Shor.OrderFinding(a, n);
        Assert.Equal(t, circuit.NumClbits);
        var dist = new Dictionary<long, double>();
        foreach (var b in Simulator.Branches(circuit))
        {
            long y = Convert.ToInt64(b.BitString, 2);
            dist[y] = dist.GetValueOrDefault(y) + b.Probability;
        }
        Assert.Equal(Enumerable.Range(0, (int)r).Select(s => s * (1L << t) / r).Order(), dist.Keys.Order());
        Assert.All(dist.Values, p => Assert.Equal(1.0 / r, p, 9));
    }

    [Theory]
    [InlineData(15L, 7L)]
    [InlineData(21L, 2L)]
    [InlineData(21L, 4L)]
    [InlineData(35L, 2L)]
    [InlineData(35L, 3L)]
    [InlineData(35L, 4L)]
    public void OrderFromTheLikeliestReadingsIsTheOrder(long n, long a)
    {
        long r = ClassicalOrder(a, n);
        int t = 2 * Algorithms.Shor.BitLength(n);
        for (long s = 1; s < r; s++)
        {
            if (Algorithms.Shor.Gcd(s, r) != 1) continue;
            long y = (long)Math.Round((double)s / r * (1L << t));
            Assert.Equal(r, Algorithms.Shor.OrderFromMeasurement(y, t, a, n));
        }
        Assert.Null(Algorithms.Shor.OrderFromMeasurement(0, t, a, n));
    }

    [Fact]
    public void ConvergentsOfAMeasuredPhase()
    {
        // 1707/4096 = [0; 2, 2, 1, 1, ...]: convergents 0/1, 1/2, 2/5, 3/7, 5/12, ...
        var cf = Algorithms.Shor.Convergents(1707, 4096);
        Assert.Equal((0L, 1L), cf[0]);
        Assert.Equal((1L, 2L), cf[1]);
        Assert.Equal((2L, 5L), cf[2]);
        Assert.Equal((3L, 7L), cf[3]);
        Assert.Equal((5L, 12L), cf[4]);
        Assert.Equal((1707L, 4096L), cf[^1]);
        Assert.Equal(3, Algorithms.Shor.ModInverse(5, 7));
        Assert.Equal(1, Algorithms.Shor.ModPow(2, 12, 35));
    }

    // Seeds chosen so that the first base drawn has a non-trivial order (4, 6, 12) and succeeds, keeping each test to one
    // or two order-finding runs; any seed factors these N within the attempt cap.
    [Theory]
    [InlineData(15L, 7)]
    [InlineData(21L, 5)]
    [InlineData(35L, 6)]
    public void FactorsSmallSemiprimes(long n, int seed)
    {
        var r = Algorithms.Shor.Factor(n, seed);
        output.WriteLine($"N={n}: {r.P}×{r.Q} a={r.Base} r={r.Order} attempts={r.Attempts.Count} qubits={r.NumQubits} gates={r.GateCount}");
        foreach (var attempt in r.Attempts) output.WriteLine(attempt.ToString());
        Assert.Equal(n, r.P * r.Q);
        Assert.True(r.P > 1 && r.P <= r.Q);
        Assert.Equal(ClassicalOrder(r.Base, n), r.Order);
        Assert.Equal("factored", r.Attempts[^1].Outcome);
        int bits = Algorithms.Shor.BitLength(n);
        Assert.Equal(2 * bits + 3, r.NumQubits);
        Assert.InRange(r.GateCount, 1, 200 * bits * bits * bits);   // Beauregard: O(n³) gates
        Assert.NotEmpty(r.Phases);
        // The successful reading is within 1/2^(t+1) of some s/r.
        double phase = r.Phases[^1];
        Assert.Contains(Enumerable.Range(0, (int)r.Order), s => Math.Abs(phase - (double)s / r.Order) <= 1.0 / (1L << (2 * bits)));
    }

    [Fact]
    public void SameSeedSameFactoringRun()
    {
        var a = Algorithms.Shor.Factor(15, 3);
        var b = Algorithms.Shor.Factor(15, 3);
        Assert.Equal(a.Attempts, b.Attempts);
    }

    [Fact]
    public void ClassicalCasesAreRejected()
    {
        Assert.Contains("even", Assert.Throws<ArgumentException>(() => Algorithms.Shor.Factor(22, 1)).Message);
        Assert.Contains("prime", Assert.Throws<ArgumentException>(() => Algorithms.Shor.Factor(17, 1)).Message);
        Assert.Contains("power of the prime 3", Assert.Throws<ArgumentException>(() => Algorithms.Shor.Factor(27, 1)).Message);
        Assert.Contains("shares the factor 3", Assert.Throws<ArgumentException>(() => Algorithms.Shor.OrderFinding(6, 15)).Message);
        var lucky = Algorithms.Shor.Factor(15, 7, acceptLuckyBase: true);
        Assert.Equal((3L, 5L), (lucky.P, lucky.Q));
    }

    [Fact]
    public void OrderFindingCircuitRoundTripsThroughQasm()
    {
        var c = Algorithms.Shor.OrderFinding(7, 15);
        string text = Qasm.ToQasm(c);
        Assert.Contains("if(y0==1) p(", text.Replace("u1(", "p("));
        var back = Qasm.Parse(text);
        // Doubly controlled phases have no qelib1 name and are written as their decomposition, so compare behaviour.
        Assert.Equal(text, Qasm.ToQasm(back));
        Assert.Equal(c.CountOps()["measure"], back.CountOps()["measure"]);
        Assert.Equal(c.CountOps()["reset"], back.CountOps()["reset"]);
        Assert.Equal(Simulator.Run(c, 3, 9), Simulator.Run(back, 3, 9));
    }
}
