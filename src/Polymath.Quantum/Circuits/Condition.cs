namespace Polymath.Quantum;

/// <summary>
/// A classical condition on an instruction: the instruction runs only when the classical bits <see cref="Clbits"/>,
/// read as an integer with <see cref="Clbits"/>[0] the least significant bit, equal <see cref="Value"/>.
/// OpenQASM 2's <c>if(c==3) x q[0];</c> is <see cref="Equal(ClassicalRegister, long)"/>; a single bit is <see cref="Bit"/>.
/// Immutable.
/// </summary>
public sealed class Condition
{
    private readonly int[] _clbits;

    private Condition(int[] clbits, long value, ClassicalRegister? register)
    {
        _clbits = clbits;
        Value = value;
        Register = register;
    }

    /// <summary>The circuit's classical bits compared, least significant first.</summary>
    public IReadOnlyList<int> Clbits => _clbits;

    /// <summary>The integer the bits must equal.</summary>
    public long Value { get; }

    /// <summary>The register compared, or null for a single-bit condition (or bits that are no longer a whole register after <see cref="Circuit.Compose"/>).</summary>
    public ClassicalRegister? Register { get; }

    /// <summary>The register <paramref name="register"/> read as an integer equals <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or needs more bits than the register has (at most 63).</exception>
    public static Condition Equal(ClassicalRegister register, long value)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (register.Size > 63) throw new ArgumentOutOfRangeException(nameof(register), $"condition on register '{register.Name}' of {register.Size} bits: at most 63 bits can be compared");
        if (value < 0 || value >> register.Size != 0)
            throw new ArgumentOutOfRangeException(nameof(value), $"condition {register.Name}=={value}: the value must lie in [0, 2^{register.Size})");
        return new Condition(register.Indices, value, register);
    }

    /// <summary>Classical bit <paramref name="clbit"/> (a flat index) equals <paramref name="value"/> (0 or 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clbit"/> is negative or <paramref name="value"/> is not 0 or 1.</exception>
    public static Condition Bit(int clbit, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clbit);
        if (value is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(value), $"condition on classical bit {clbit}: value {value} is not 0 or 1");
        return new Condition([clbit], value, null);
    }

    /// <summary>True when the bits (indexed by the circuit's flat classical index) hold <see cref="Value"/>.</summary>
    public bool IsSatisfied(ReadOnlySpan<bool> bits)
    {
        for (int i = 0; i < _clbits.Length; i++)
            if (bits[_clbits[i]] != ((Value >> i & 1) != 0)) return false;
        return true;
    }

    /// <summary>The same comparison on the classical bits <paramref name="clbitMap"/>[b] (used when a circuit is composed into another).</summary>
    internal Condition Remap(IReadOnlyList<int> clbitMap, IReadOnlyList<ClassicalRegister> targetRegisters)
    {
        int[] bits = _clbits.Select(b => clbitMap[b]).ToArray();
        var reg = targetRegisters.FirstOrDefault(r => r.Size == bits.Length && bits.Select((b, i) => b == r.Start + i).All(x => x));
        return new Condition(bits, Value, reg);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Register is { } r ? $"{r.Name}=={Value}"
        : _clbits.Length == 1 ? $"clbit {_clbits[0]}=={Value}"
        : $"clbits [{string.Join(", ", _clbits)}]=={Value}";
}
