using System.Numerics;
using System.Text;

namespace Polymath.Quantum;

/// <summary>
/// A tensor product of single-qubit Paulis (I, X, Y, Z) on up to 64 qubits, stored as two bit masks:
/// bit q of <see cref="XMask"/> is set for X or Y on qubit q, bit q of <see cref="ZMask"/> for Z or Y.
/// The string form follows <see cref="StateVector.ExpectationPauli"/>: one letter per qubit, qubit 0 rightmost.
/// The letters are the operator itself (Y is Y, not XZ), so on a basis state
/// P|j⟩ = i^{#Y}·(−1)^{|j ∧ z|}·|j ⊕ x⟩.
/// </summary>
public readonly record struct PauliString
{
    /// <summary>Largest number of qubits a <see cref="PauliString"/> can hold (one bit per qubit in a 64-bit mask).</summary>
    public const int MaxQubits = 64;

    /// <summary>A string from its masks; bits at or above <paramref name="numQubits"/> must be clear.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numQubits"/> outside [0, 64], or a mask bit set beyond it.</exception>
    public PauliString(int numQubits, ulong xMask, ulong zMask)
    {
        if ((uint)numQubits > MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(numQubits), $"a Pauli string holds 0 to {MaxQubits} qubits, not {numQubits}");
        ulong outside = numQubits == 64 ? 0 : ~((1UL << numQubits) - 1);
        if (((xMask | zMask) & outside) != 0)
            throw new ArgumentOutOfRangeException(nameof(xMask), $"mask bits set beyond qubit {numQubits - 1}: x = 0x{xMask:X}, z = 0x{zMask:X}");
        NumQubits = numQubits;
        XMask = xMask;
        ZMask = zMask;
    }

    /// <summary>Number of qubits (letters).</summary>
    public int NumQubits { get; }

    /// <summary>Bit q set where qubit q carries X or Y.</summary>
    public ulong XMask { get; }

    /// <summary>Bit q set where qubit q carries Z or Y.</summary>
    public ulong ZMask { get; }

    /// <summary>The identity on <paramref name="numQubits"/> qubits.</summary>
    public static PauliString Identity(int numQubits) => new(numQubits, 0, 0);

    /// <summary>True when every letter is I.</summary>
    public bool IsIdentity => (XMask | ZMask) == 0;

    /// <summary>Number of Y letters.</summary>
    public int CountY => BitOperations.PopCount(XMask & ZMask);

    /// <summary>Number of non-identity letters (the weight).</summary>
    public int Weight => BitOperations.PopCount(XMask | ZMask);

    /// <summary>True when the string is diagonal in the computational basis (only I and Z).</summary>
    public bool IsDiagonal => XMask == 0;

    /// <summary>The letter on qubit <paramref name="qubit"/>: 'I', 'X', 'Y' or 'Z'.</summary>
    public char this[int qubit]
    {
        get
        {
            if ((uint)qubit >= (uint)NumQubits) throw new ArgumentOutOfRangeException(nameof(qubit), $"qubit {qubit} outside [0, {NumQubits})");
            bool x = (XMask >> qubit & 1) != 0, z = (ZMask >> qubit & 1) != 0;
            return x ? (z ? 'Y' : 'X') : (z ? 'Z' : 'I');
        }
    }

    /// <summary>The qubits carrying a non-identity letter, ascending.</summary>
    public IReadOnlyList<int> Support
    {
        get
        {
            var r = new List<int>();
            for (ulong m = XMask | ZMask; m != 0; m &= m - 1) r.Add(BitOperations.TrailingZeroCount(m));
            return r;
        }
    }

    /// <summary>Parses a dense string such as "XZIY" (qubit 0 is the rightmost letter; lower case accepted).</summary>
    /// <exception cref="FormatException">A letter other than I, X, Y, Z; the message gives it and its position.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than 64 letters.</exception>
    public static PauliString Parse(string letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Length > MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(letters), $"Pauli string of {letters.Length} letters; at most {MaxQubits} are supported");
        ulong x = 0, z = 0;
        for (int c = 0; c < letters.Length; c++)
        {
            int q = letters.Length - 1 - c;
            switch (char.ToUpperInvariant(letters[c]))
            {
                case 'I': break;
                case 'X': x |= 1UL << q; break;
                case 'Y': x |= 1UL << q; z |= 1UL << q; break;
                case 'Z': z |= 1UL << q; break;
                default: throw new FormatException($"Pauli string '{letters}': letter '{letters[c]}' at position {c} is not I, X, Y or Z");
            }
        }
        return new PauliString(letters.Length, x, z);
    }

    /// <summary>A string on <paramref name="numQubits"/> qubits with the given letters on the given qubits, identity elsewhere.</summary>
    /// <exception cref="ArgumentException">A qubit out of range or repeated, or a letter other than I, X, Y, Z.</exception>
    public static PauliString FromSparse(int numQubits, params ReadOnlySpan<(char Pauli, int Qubit)> factors)
    {
        ulong x = 0, z = 0, seen = 0;
        foreach (var (p, q) in factors)
        {
            if ((uint)q >= (uint)numQubits || q >= MaxQubits)
                throw new ArgumentException($"Pauli factor {p}{q}: qubit {q} outside [0, {numQubits})");
            if ((seen >> q & 1) != 0) throw new ArgumentException($"Pauli factor {p}{q}: qubit {q} appears twice");
            seen |= 1UL << q;
            switch (char.ToUpperInvariant(p))
            {
                case 'I': break;
                case 'X': x |= 1UL << q; break;
                case 'Y': x |= 1UL << q; z |= 1UL << q; break;
                case 'Z': z |= 1UL << q; break;
                default: throw new ArgumentException($"Pauli factor {p}{q}: letter '{p}' is not I, X, Y or Z");
            }
        }
        return new PauliString(numQubits, x, z);
    }

    /// <summary>
    /// The product this·<paramref name="other"/> = i^k·R for a Pauli string R; returns R and k mod 4.
    /// Uses P(x,z) = i^{|x∧z|}XˣZᶻ and ZᶻXˣ' = (−1)^{|z∧x'|}Xˣ'Zᶻ.
    /// </summary>
    /// <exception cref="ArgumentException">The qubit counts differ.</exception>
    public (PauliString Product, int PhasePower) Multiply(PauliString other)
    {
        if (other.NumQubits != NumQubits) throw new ArgumentException($"product of {NumQubits}- and {other.NumQubits}-qubit Pauli strings");
        ulong x = XMask ^ other.XMask, z = ZMask ^ other.ZMask;
        int k = BitOperations.PopCount(XMask & ZMask) + BitOperations.PopCount(other.XMask & other.ZMask)
              + 2 * BitOperations.PopCount(ZMask & other.XMask) - BitOperations.PopCount(x & z);
        return (new PauliString(NumQubits, x, z), ((k % 4) + 4) % 4);
    }

    /// <summary>True when this string commutes with <paramref name="other"/> (an even number of positions with anticommuting letters).</summary>
    public bool CommutesWith(PauliString other) =>
        (BitOperations.PopCount((XMask & other.ZMask) ^ (ZMask & other.XMask)) & 1) == 0;

    /// <summary>The same letters on <paramref name="numQubits"/> ≥ <see cref="NumQubits"/> qubits (identity on the new ones).</summary>
    public PauliString Widen(int numQubits)
    {
        if (numQubits < NumQubits) throw new ArgumentOutOfRangeException(nameof(numQubits), $"cannot narrow a {NumQubits}-qubit Pauli string to {numQubits} qubits");
        return new PauliString(numQubits, XMask, ZMask);
    }

    /// <summary>The dense 2ⁿ×2ⁿ matrix (n ≤ 12), little-endian.</summary>
    public Complex[,] ToMatrix()
    {
        if (NumQubits > 12) throw new InvalidOperationException($"ToMatrix is for at most 12 qubits; this Pauli string has {NumQubits}");
        int d = 1 << NumQubits;
        var m = new Complex[d, d];
        Complex phase = PhaseOf(CountY);
        for (int j = 0; j < d; j++)
        {
            int i = j ^ (int)XMask;
            m[i, j] = (BitOperations.PopCount((uint)j & (uint)ZMask) & 1) == 0 ? phase : -phase;
        }
        return m;
    }

    /// <summary>i^k for k mod 4.</summary>
    internal static Complex PhaseOf(int k) => (k & 3) switch { 0 => Complex.One, 1 => Complex.ImaginaryOne, 2 => -Complex.One, _ => -Complex.ImaginaryOne };

    /// <summary>The letters, qubit 0 rightmost (the empty string for zero qubits).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(NumQubits);
        for (int q = NumQubits - 1; q >= 0; q--) sb.Append(this[q]);
        return sb.ToString();
    }
}
