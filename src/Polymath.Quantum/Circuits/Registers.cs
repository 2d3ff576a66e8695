namespace Polymath.Quantum;

/// <summary>
/// A named, contiguous group of a circuit's qubits or classical bits (OpenQASM 2's <c>qreg</c>/<c>creg</c>).
/// A circuit's registers partition its flat indices in declaration order; bit <c>i</c> of the register is the
/// circuit's flat index <see cref="Start"/> + i. Registers are made by the circuit
/// (<see cref="Circuit.AddQuantumRegister"/>, <see cref="Circuit.AddClassicalRegister"/>).
/// </summary>
public abstract class Register
{
    private protected Register(string name, int start, int size)
    {
        Name = name;
        Start = start;
        Size = size;
    }

    /// <summary>The register's name (an OpenQASM identifier such as "q" or "c").</summary>
    public string Name { get; }

    /// <summary>The circuit's flat index of the register's bit 0.</summary>
    public int Start { get; }

    /// <summary>Number of bits or qubits.</summary>
    public int Size { get; }

    /// <summary>The circuit's flat index of the register's element <paramref name="i"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is outside [0, <see cref="Size"/>).</exception>
    public int this[int i] => (uint)i < (uint)Size
        ? Start + i
        : throw new ArgumentOutOfRangeException(nameof(i), $"index {i} outside register '{Name}' of size {Size}");

    /// <summary>All flat indices of the register, element 0 first.</summary>
    public int[] Indices => Enumerable.Range(Start, Size).ToArray();

    /// <summary>True when flat index <paramref name="index"/> belongs to this register.</summary>
    public bool Contains(int index) => index >= Start && index < Start + Size;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}[{Size}]";

    /// <summary>Throws unless <paramref name="name"/> is an identifier (letter or '_', then letters, digits, '_').</summary>
    internal static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');
        if (!ok) throw new ArgumentException($"register name '{name}' is not an identifier (a letter or '_' followed by letters, digits or '_')", nameof(name));
    }
}

/// <summary>A named group of qubits (OpenQASM 2 <c>qreg</c>).</summary>
public sealed class QuantumRegister : Register
{
    internal QuantumRegister(string name, int start, int size) : base(name, start, size) { }
}

/// <summary>
/// A named group of classical bits (OpenQASM 2 <c>creg</c>). Read as an integer, element 0 is the least significant
/// bit, which is what a condition <c>if(c==v)</c> compares.
/// </summary>
public sealed class ClassicalRegister : Register
{
    internal ClassicalRegister(string name, int start, int size) : base(name, start, size) { }
}
