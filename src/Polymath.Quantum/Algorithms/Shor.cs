namespace Polymath.Quantum;

/// <summary>One base tried by <see cref="Algorithms.Shor.Factor"/>.</summary>
/// <param name="Base">The base a.</param>
/// <param name="Measured">The integer y read by the 2n rounds of phase estimation (null when no circuit ran).</param>
/// <param name="Phase">The phase estimate y/2^(2n) (null when no circuit ran).</param>
/// <param name="Order">The order r of a modulo N found from the phase (null when none was found).</param>
/// <param name="Outcome">What happened: "factored", "no order from phase", "odd order", "a^(r/2) = -1 mod N", "shares a factor with N".</param>
public sealed record ShorAttempt(long Base, long? Measured, double? Phase, long? Order, string Outcome);

/// <summary>The factors Shor's algorithm found and how.</summary>
/// <param name="N">The number factored.</param>
/// <param name="P">The smaller factor found (1 &lt; P ≤ Q).</param>
/// <param name="Q">N / P.</param>
/// <param name="Base">The base a of the successful attempt.</param>
/// <param name="Order">The order r of a modulo N measured in the successful attempt (0 when the base shared a factor with N).</param>
/// <param name="Attempts">Every base tried, in order, the successful one last.</param>
/// <param name="NumQubits">Qubits of the order-finding circuit: 2n + 3.</param>
/// <param name="GateCount">Operations (gates, measurements, resets) in the successful attempt's order-finding circuit.</param>
public sealed record ShorResult(long N, long P, long Q, long Base, long Order, IReadOnlyList<ShorAttempt> Attempts, int NumQubits, int GateCount)
{
    /// <summary>The measured phases y/2^(2n) of all attempts that ran a circuit.</summary>
    public IReadOnlyList<double> Phases => Attempts.Where(a => a.Phase is not null).Select(a => a.Phase!.Value).ToList();
}

public static partial class Algorithms
{
    public static partial class Shor
    {
        /// <summary>
        /// The order-finding circuit for a modulo N with Beauregard's 2n + 3 qubits and the semiclassical inverse QFT
        /// (one control qubit, 2n rounds). Qubit 0 is the control, 1..n the register x (starts at |1⟩), n+1..2n+1 the
        /// Fourier work register b, 2n+2 the ancilla. Round k (k = 0..2n−1): reset the control (k &gt; 0), H, controlled
        /// U_(a^(2^(2n−1−k)) mod N) (left out when that power is 1), the phase correction P(−π/2^(k−l)) conditioned on each
        /// earlier result bit y_l = 1, H, and measure into the one-bit register "y{k}" (classical bit k). The measured
        /// y = Σ y_k 2^k gives the phase estimate y/2^(2n) of s/r.
        /// </summary>
        public static Circuit OrderFinding(long a, long modulus)
        {
            int n = CheckModulus(modulus);
            CheckResidue(a, modulus);
            if (Gcd(a, modulus) != 1) throw new ArgumentException($"base {a} shares the factor {Gcd(a, modulus)} with {modulus}; order finding needs a coprime base", nameof(a));
            var (c, ctrl, x, b, anc) = Layout(n);
            int t = 2 * n;
            var y = new ClassicalRegister[t];
            for (int k = 0; k < t; k++) y[k] = c.AddClassicalRegister($"y{k}", 1);
            c.X(x[0]);
            for (int k = 0; k < t; k++)
            {
                if (k > 0) c.Reset(ctrl);
                c.H(ctrl);
                long ak = ModPow(a, 1L << (t - 1 - k), modulus);
                if (ak != 1) AppendControlledModularMultiplication(c, ak, modulus, ctrl, x, b, anc);
                for (int l = 0; l < k; l++)
                {
                    double angle = -Math.PI / (1L << (k - l));
                    c.If(y[l], 1, body => body.P(angle, ctrl));
                }
                c.H(ctrl).Measure(ctrl, y[k][0]);
            }
            return c;
        }

        /// <summary>The continued-fraction convergents p/q of <paramref name="numerator"/>/<paramref name="denominator"/>, in order.</summary>
        public static IReadOnlyList<(long P, long Q)> Convergents(long numerator, long denominator)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(numerator);
            ArgumentOutOfRangeException.ThrowIfLessThan(denominator, 1);
            var list = new List<(long, long)>();
            long pPrev = 0, p = 1, qPrev = 1, q = 0;   // h₋₂/k₋₂ = 0/1 and h₋₁/k₋₁ = 1/0 start the recurrence
            long num = numerator, den = denominator;
            while (den != 0)
            {
                long ai = num / den;
                (num, den) = (den, num - ai * den);
                (pPrev, p) = (p, ai * p + pPrev);
                (qPrev, q) = (q, ai * q + qPrev);
                list.Add((p, q));
            }
            return list;
        }

        /// <summary>
        /// The order r of <paramref name="a"/> modulo N from a phase-estimation reading y/2ᵗ: the smallest r, among the
        /// convergent denominators q &lt; N of y/2ᵗ and their multiples below N, with aʳ ≡ 1 (mod N); null if none.
        /// (Multiples recover r when the measured s/r was not in lowest terms.)
        /// </summary>
        public static long? OrderFromMeasurement(long y, int bits, long a, long modulus)
        {
            if (y == 0) return null;
            long? best = null;
            foreach (var (_, q) in Convergents(y, 1L << bits))
            {
                if (q <= 0 || q >= modulus) continue;
                for (long r = q; r < modulus; r += q)
                    if (ModPow(a, r, modulus) == 1) { if (best is null || r < best) best = r; break; }
            }
            return best;
        }

        /// <summary>
        /// Factors <paramref name="n"/> with Shor's algorithm: draws bases a with a generator seeded by
        /// <paramref name="seed"/>, runs <see cref="OrderFinding"/> once per base (one shot with collapse), reads the order
        /// r with <see cref="OrderFromMeasurement"/>, and returns gcd(a^(r/2) ± 1, N) when r is even and a^(r/2) ≢ −1. Bases that
        /// share a factor with N are skipped (recorded) unless <paramref name="acceptLuckyBase"/>, which returns that
        /// factor as the textbook does. Same seed, same result.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">N is below 15 or above 2^20 (the state would not fit).</exception>
        /// <exception cref="ArgumentException">N is even, prime or a prime power (Shor's quantum step does not apply; those are classical cases).</exception>
        /// <exception cref="InvalidOperationException">No base succeeded within <paramref name="maxAttempts"/>; the message lists the attempts.</exception>
        public static ShorResult Factor(long n, int seed, int maxAttempts = 12, bool acceptLuckyBase = false)
        {
            if (n < 15 || n > 1 << 20) throw new ArgumentOutOfRangeException(nameof(n), $"N = {n}: this simulation factors 15 ≤ N ≤ 2^20");
            if (n % 2 == 0) throw new ArgumentException($"N = {n} is even: its factor 2 needs no quantum computer", nameof(n));
            if (IsPrimePower(n, out long p))
                throw new ArgumentException(p == n ? $"N = {n} is prime: there is nothing to factor" : $"N = {n} is a power of the prime {p}: Shor's algorithm needs two distinct prime factors", nameof(n));
            ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
            var rng = new Random(seed);
            var attempts = new List<ShorAttempt>();
            var settled = new HashSet<long>();   // bases whose failure does not depend on the measurement
            int bits = 2 * BitLength(n);
            while (attempts.Count < maxAttempts)
            {
                long a = rng.NextInt64(2, n - 1);
                if (!settled.Add(a) && settled.Count < n - 3) continue;
                long g = Gcd(a, n);
                if (g != 1)
                {
                    attempts.Add(new ShorAttempt(a, null, null, null, "shares a factor with N"));
                    if (acceptLuckyBase) return new ShorResult(n, Math.Min(g, n / g), Math.Max(g, n / g), a, 0, attempts, 2 * BitLength(n) + 3, 0);
                    continue;
                }
                var circuit = OrderFinding(a, n);
                var (_, clbits) = Simulator.RunShot(circuit, rng);
                long y = 0;
                for (int k = 0; k < bits; k++) if (clbits[k]) y |= 1L << k;
                double phase = y / (double)(1L << bits);
                long? r = OrderFromMeasurement(y, bits, a, n);
                if (r is not { } order) { settled.Remove(a); attempts.Add(new ShorAttempt(a, y, phase, null, "no order from phase")); continue; }
                if (order % 2 != 0) { attempts.Add(new ShorAttempt(a, y, phase, order, "odd order")); continue; }
                long half = ModPow(a, order / 2, n);
                if (half == n - 1) { attempts.Add(new ShorAttempt(a, y, phase, order, "a^(r/2) = -1 mod N")); continue; }
                long f = Gcd(half - 1, n);
                if (f == 1 || f == n) f = Gcd(half + 1, n);
                attempts.Add(new ShorAttempt(a, y, phase, order, "factored"));
                return new ShorResult(n, Math.Min(f, n / f), Math.Max(f, n / f), a, order, attempts, circuit.NumQubits, circuit.Size);
            }
            throw new InvalidOperationException($"Shor: no factor of {n} after {maxAttempts} attempts (seed {seed}): " +
                string.Join("; ", attempts.Select(t => $"a={t.Base} y={t.Measured} r={t.Order} {t.Outcome}")));
        }

        /// <summary>Greatest common divisor (non-negative).</summary>
        public static long Gcd(long a, long b)
        {
            a = Math.Abs(a); b = Math.Abs(b);
            while (b != 0) (a, b) = (b, a % b);
            return a;
        }

        private static bool IsPrimePower(long n, out long prime)
        {
            prime = 0;
            for (long d = 2; d * d <= n; d++)
            {
                if (n % d != 0) continue;
                long m = n;
                while (m % d == 0) m /= d;
                prime = d;
                return m == 1;
            }
            prime = n;
            return true;   // n itself is prime
        }
    }
}
