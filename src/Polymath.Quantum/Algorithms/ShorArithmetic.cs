namespace Polymath.Quantum;

public static partial class Algorithms
{
    /// <summary>
    /// Shor's factoring algorithm with Beauregard's 2n+3-qubit circuit (S. Beauregard, "Circuit for Shor's algorithm
    /// using 2n+3 qubits", Quantum Inf. Comput. 3, 175 (2003)). Additions are Draper's: a classical constant is added
    /// to a register held in Fourier space by single-qubit phase gates. All arithmetic circuits here are made of gates
    /// (phase, controlled phase, H, X, CX, CSWAP) and are checked as permutations in the tests.
    /// </summary>
    public static partial class Shor
    {
        /// <summary>
        /// Draper's φADD(a) on <paramref name="numQubits"/> = m qubits holding φ(b), the Fourier state made by
        /// <c>Qft(m, swaps: false)</c>: it becomes φ(b + a mod 2ᵐ). One phase gate per qubit, P(2π·(a·2ᵏ mod 2ᵐ)/2ᵐ) on
        /// qubit m−1−k (zero angles are left out). <paramref name="a"/> may be negative (subtraction).
        /// </summary>
        public static Circuit PhiAdd(long a, int numQubits)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(numQubits, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(numQubits, 62);
            var c = new Circuit(numQubits);
            AppendPhiAdd(c, a, Enumerable.Range(0, numQubits).ToArray(), []);
            return c;
        }

        /// <summary>
        /// Beauregard's doubly controlled modular adder φADD(a)MOD(N) in Fourier space, on n + 4 qubits (n = bits of N):
        /// qubits 0 and 1 are the controls, 2..n+2 hold φ(b) (n + 1 qubits, b &lt; N), qubit n+3 is an ancilla in |0⟩.
        /// When both controls are 1, φ(b) becomes φ((a + b) mod N); otherwise nothing changes; the ancilla returns to |0⟩.
        /// </summary>
        public static Circuit ModularAdder(long a, long modulus)
        {
            int n = CheckModulus(modulus);
            CheckResidue(a, modulus);
            var c = new Circuit(n + 4);
            AppendModularAdd(c, a, modulus, Enumerable.Range(2, n + 1).ToArray(), n + 3, [0, 1]);
            return c;
        }

        /// <summary>
        /// Beauregard's controlled multiplier CMULT(a)MOD(N) on 2n + 3 qubits: qubit 0 is the control, 1..n hold x,
        /// n+1..2n+1 hold b (n + 1 qubits, computational basis), 2n+2 is an ancilla in |0⟩. It maps
        /// |c⟩|x⟩|b⟩ ↦ |c⟩|x⟩|(b + c·a·x) mod N⟩ for b &lt; N (QFT, n doubly controlled modular additions of 2ⁱa mod N, inverse QFT).
        /// </summary>
        public static Circuit ControlledMultiplier(long a, long modulus)
        {
            int n = CheckModulus(modulus);
            CheckResidue(a, modulus);
            var (c, ctrl, x, b, anc) = Layout(n);
            AppendControlledMultiplier(c, a, modulus, ctrl, x, b, anc);
            return c;
        }

        /// <summary>
        /// The controlled modular multiplication C-U_a on 2n + 3 qubits (layout as <see cref="ControlledMultiplier"/>):
        /// |c⟩|x⟩|0⟩|0⟩ ↦ |c⟩|a^c·x mod N⟩|0⟩|0⟩ for x &lt; N. Built as CMULT(a), a controlled swap of x with the low n
        /// qubits of b, and the inverse of CMULT(a⁻¹ mod N). <paramref name="a"/> must be coprime to N.
        /// </summary>
        public static Circuit ControlledModularMultiplication(long a, long modulus)
        {
            int n = CheckModulus(modulus);
            CheckResidue(a, modulus);
            var (c, ctrl, x, b, anc) = Layout(n);
            AppendControlledModularMultiplication(c, a, modulus, ctrl, x, b, anc);
            return c;
        }

        private static (Circuit C, int Ctrl, int[] X, int[] B, int Anc) Layout(int n)
        {
            var c = new Circuit(0);
            var ctrl = c.AddQuantumRegister("ctrl", 1);
            var x = c.AddQuantumRegister("x", n);
            var b = c.AddQuantumRegister("b", n + 1);
            var anc = c.AddQuantumRegister("anc", 1);
            return (c, ctrl[0], x.Indices, b.Indices, anc[0]);
        }

        private static int CheckModulus(long modulus)
        {
            if (modulus < 3 || modulus > 1L << 30) throw new ArgumentOutOfRangeException(nameof(modulus), $"modulus {modulus} must lie in [3, 2^30]");
            return BitLength(modulus);
        }

        private static void CheckResidue(long a, long modulus)
        {
            if (a < 0 || a >= modulus) throw new ArgumentOutOfRangeException(nameof(a), $"constant {a} must lie in [0, {modulus})");
        }

        internal static int BitLength(long v) => 64 - (int)long.LeadingZeroCount(v);

        /// <summary>φADD(a) on the Fourier register <paramref name="b"/>, controlled by <paramref name="controls"/> (none, one or two).</summary>
        internal static void AppendPhiAdd(Circuit c, long a, int[] b, int[] controls)
        {
            int m = b.Length;
            long mod = 1L << m;
            long am = ((a % mod) + mod) % mod;
            for (int k = 0; k < m; k++)
            {
                long num = (am << k) & (mod - 1);   // a·2ᵏ mod 2ᵐ: the phase is 2π·num/2ᵐ
                if (num == 0) continue;
                double angle = 2 * Math.PI * num / mod;
                var gate = controls.Length == 0 ? (Gate)new PhaseGate(angle) : new PhaseGate(angle).Control(controls.Length);
                c.Append(gate, [.. controls, b[m - 1 - k]]);
            }
        }

        /// <summary>Beauregard Fig. 5: φ(b) ↦ φ((a + b) mod N) when all <paramref name="controls"/> are 1; the ancilla is restored.</summary>
        internal static void AppendModularAdd(Circuit c, long a, long modulus, int[] b, int anc, int[] controls)
        {
            int msb = b[^1];
            AppendPhiAdd(c, a, b, controls);
            AppendPhiAdd(c, -modulus, b, []);
            AppendInverseQft(c, b, swaps: false);
            c.CX(msb, anc);                     // b + a − N < 0 (sign bit set): remember to add N back
            AppendQft(c, b, swaps: false);
            AppendPhiAdd(c, modulus, b, [anc]);
            AppendPhiAdd(c, -a, b, controls);   // uncompute the ancilla: (a + b mod N) − a < 0 exactly when no N was added
            AppendInverseQft(c, b, swaps: false);
            c.X(msb).CX(msb, anc).X(msb);
            AppendQft(c, b, swaps: false);
            AppendPhiAdd(c, a, b, controls);
        }

        internal static void AppendControlledMultiplier(Circuit c, long a, long modulus, int ctrl, int[] x, int[] b, int anc)
        {
            AppendQft(c, b, swaps: false);
            long term = a % modulus;
            for (int i = 0; i < x.Length; i++)
            {
                if (term != 0) AppendModularAdd(c, term, modulus, b, anc, [ctrl, x[i]]);
                term = term * 2 % modulus;
            }
            AppendInverseQft(c, b, swaps: false);
        }

        internal static void AppendControlledModularMultiplication(Circuit c, long a, long modulus, int ctrl, int[] x, int[] b, int anc)
        {
            long inverse = ModInverse(a, modulus);
            AppendControlledMultiplier(c, a, modulus, ctrl, x, b, anc);
            for (int i = 0; i < x.Length; i++) c.CSwap(ctrl, x[i], b[i]);
            var undo = new Circuit(c.NumQubits);
            AppendControlledMultiplier(undo, inverse, modulus, ctrl, x, b, anc);
            var inv = undo.Inverse();
            foreach (var ins in inv.Instructions) c.Append(ins.Gate!, [.. ins.Qubits]);
        }

        /// <summary>a⁻¹ mod N by the extended Euclidean algorithm.</summary>
        /// <exception cref="ArgumentException">a and N share a factor.</exception>
        public static long ModInverse(long a, long modulus)
        {
            long r0 = modulus, r1 = ((a % modulus) + modulus) % modulus, s0 = 0, s1 = 1;
            while (r1 != 0)
            {
                long q = r0 / r1;
                (r0, r1) = (r1, r0 - q * r1);
                (s0, s1) = (s1, s0 - q * s1);
            }
            if (r0 != 1) throw new ArgumentException($"{a} has no inverse modulo {modulus}: gcd is {r0}", nameof(a));
            return ((s0 % modulus) + modulus) % modulus;
        }

        /// <summary>aᵉ mod N by square-and-multiply (N &lt; 2³¹, so products fit in a long).</summary>
        public static long ModPow(long a, long exponent, long modulus)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(exponent);
            long result = 1 % modulus, base_ = ((a % modulus) + modulus) % modulus;
            while (exponent > 0)
            {
                if ((exponent & 1) != 0) result = result * base_ % modulus;
                base_ = base_ * base_ % modulus;
                exponent >>= 1;
            }
            return result;
        }
    }
}
