namespace Polymath.Physics;

/// <summary>
/// An L×L square lattice of Ising spins sᵢ = ±1 with periodic boundaries, stored row-major as one signed byte per
/// site (site (row, col) at index row·L + col). Energy E = −J Σ_⟨ij⟩ sᵢsⱼ with J = 1 over the 2N nearest-neighbour
/// bonds; magnetisation M = Σ sᵢ.
/// </summary>
public sealed class IsingLattice
{
    /// <summary>The largest side accepted: L² sites must fit a 32-bit index.</summary>
    public const int MaxSize = 46_340;

    /// <summary>Creates a lattice with every spin +1 (the cold, ordered start).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is below 2 or above <see cref="MaxSize"/>.</exception>
    public IsingLattice(int size)
    {
        if (size < 2 || size > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Ising lattice: the side L must lie in [2, {MaxSize}], not {size}");
        Size = size;
        Spins = new sbyte[size * size];
        Spins.AsSpan().Fill(1);
    }

    /// <summary>The side L.</summary>
    public int Size { get; }

    /// <summary>The number of sites N = L².</summary>
    public int Sites => Spins.Length;

    /// <summary>The spins, ±1, row-major (index row·L + col).</summary>
    public sbyte[] Spins { get; }

    /// <summary>Sets every spin to +1 (<paramref name="hot"/> false) or draws each ±1 with probability ½ from <paramref name="random"/>.</summary>
    public void Reset(bool hot, ChainRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!hot)
        {
            Spins.AsSpan().Fill(1);
            return;
        }
        for (int i = 0; i < Spins.Length; i++) Spins[i] = random.NextFloat() < 0.5f ? (sbyte)1 : (sbyte)-1;
    }

    /// <summary>The total energy E = −Σ_⟨ij⟩ sᵢsⱼ (each bond once: right and down neighbours).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public long Energy()
    {
        int l = Size;
        long bonds = 0;
        for (int r = 0; r < l; r++)
        {
            int row = r * l, down = (r + 1 == l ? 0 : r + 1) * l;
            for (int c = 0; c < l; c++)
            {
                int s = Spins[row + c];
                bonds += s * (Spins[row + (c + 1 == l ? 0 : c + 1)] + Spins[down + c]);
            }
        }
        return -bonds;
    }

    /// <summary>The total magnetisation M = Σ sᵢ.</summary>
    public long Magnetization()
    {
        long m = 0;
        foreach (sbyte s in Spins) m += s;
        return m;
    }

    /// <summary>A copy of the spins.</summary>
    public sbyte[] CopySpins() => (sbyte[])Spins.Clone();
}
