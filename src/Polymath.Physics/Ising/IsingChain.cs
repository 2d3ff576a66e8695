using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Polymath.Physics;

/// <summary>
/// One Markov chain of the 2D Ising model (J = 1, k_B = 1, periodic L×L) at a fixed temperature, with its own random
/// stream. Keeps the total energy and magnetisation current after every sweep.
/// </summary>
public sealed class IsingChain
{
    private readonly IsingLattice _lattice;
    private readonly ChainRandom _random;
    // Metropolis acceptance thresholds indexed by k + 4, k = sᵢ·Σ neighbours ∈ {−4, −2, 0, 2, 4}, ΔE = 2k:
    // min(1, e^(−βΔE)); the value 2 for k ≤ 0 makes "u < threshold" always true for u ∈ [0, 1).
    private readonly float[] _acceptance = new float[9];
    private readonly float _addProbability;
    private float[] _uniforms = [];
    private sbyte[] _codes = [];
    private int[] _stack = [];

    /// <summary>Creates a chain.</summary>
    /// <param name="size">The side L (2 ≤ L ≤ <see cref="IsingLattice.MaxSize"/>).</param>
    /// <param name="temperature">T &gt; 0 in units of J/k_B.</param>
    /// <param name="algorithm">Metropolis or Wolff.</param>
    /// <param name="seed">The run seed.</param>
    /// <param name="chainIndex">This chain's index within the run (selects its random stream).</param>
    /// <param name="hotStart">Start from random spins (true) or all +1 (false).</param>
    /// <exception cref="ArgumentOutOfRangeException">L out of range, or T not a positive finite number.</exception>
    /// <exception cref="InsufficientMemoryException">The lattice and its work arrays would not fit in memory.</exception>
    public IsingChain(int size, double temperature, IsingAlgorithm algorithm, ulong seed, ulong chainIndex, bool hotStart = false)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"Ising chain: the temperature must be a positive finite number, not {temperature}");
        if (!Enum.IsDefined(algorithm))
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Ising chain: unknown update algorithm");
        if (size < 2 || size > IsingLattice.MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Ising chain: the side L must lie in [2, {IsingLattice.MaxSize}], not {size}");
        // Spins (1 B), Metropolis uniforms or the Wolff stack (4 B each) per site.
        PhysicsChecks.Memory((long)size * size * 9, $"Ising chain of {size}×{size} spins");
        _lattice = new IsingLattice(size);
        _random = new ChainRandom(seed, chainIndex);
        Temperature = temperature;
        Algorithm = algorithm;
        double beta = 1 / temperature;
        for (int k = -4; k <= 4; k++) _acceptance[k + 4] = k <= 0 ? 2f : (float)Math.Exp(-2 * beta * k);
        _addProbability = (float)(1 - Math.Exp(-2 * beta));
        _lattice.Reset(hotStart, _random);
        Energy = _lattice.Energy();
        Magnetization = _lattice.Magnetization();
    }

    /// <summary>The temperature T.</summary>
    public double Temperature { get; }

    /// <summary>The update algorithm.</summary>
    public IsingAlgorithm Algorithm { get; }

    /// <summary>The lattice (read its spins; do not modify them, or <see cref="Energy"/> goes stale).</summary>
    public IsingLattice Lattice => _lattice;

    /// <summary>The current total energy E = −Σ_⟨ij⟩ sᵢsⱼ.</summary>
    public long Energy { get; private set; }

    /// <summary>The current total magnetisation M = Σ sᵢ.</summary>
    public long Magnetization { get; private set; }

    /// <summary>Sweeps completed since construction.</summary>
    public long SweepsDone { get; private set; }

    /// <summary>
    /// Wolff clusters per sweep once fixed by <see cref="FixSweepLength"/>; null while the chain is still thermalising,
    /// when a sweep flips clusters until N spins have flipped. Measurements must be taken at fixed numbers of clusters:
    /// stopping when a flipped-spin count is reached makes the stopping time depend on the state and biases averages.
    /// </summary>
    public int? ClustersPerSweep { get; private set; }

    /// <summary>
    /// Freezes the Wolff sweep length at N / (mean cluster size so far), at least 1; call after burn-in. Does nothing
    /// for Metropolis or when already fixed.
    /// </summary>
    public void FixSweepLength()
    {
        if (Algorithm != IsingAlgorithm.Wolff || ClustersPerSweep is not null) return;
        double meanCluster = _clusters == 0 ? 1 : (double)_clusterSpins / _clusters;
        ClustersPerSweep = Math.Max(1, (int)Math.Round(_lattice.Sites / meanCluster));
    }

    private long _clusters, _clusterSpins;

    /// <summary>Runs <paramref name="count"/> sweeps.</summary>
    public void Sweep(int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            if (Algorithm == IsingAlgorithm.Metropolis) MetropolisSweep(); else WolffSweep();
            SweepsDone++;
        }
    }

    /// <summary>Whether Metropolis sweeps use <see cref="MetropolisKernel"/> (true where 256-bit vectors are fast); the scalar sweep is the reference.</summary>
    internal bool Vectorized { get; set; } = Vector256.IsHardwareAccelerated;

    // One checkerboard sweep: every site gets one uniform (drawn up front for the sweep, indexed by site, so the stream
    // use is fixed), turned into an acceptance code a ∈ {0, 1, 2}; a flip with k = sᵢ·Σ neighbours is accepted when
    // k ≤ 2a (see MetropolisKernel). Energy and magnetisation follow the accepted changes. Pointers drop the bounds
    // checks; the first and last column of a row wrap around, the others read c − 1 and c + 1 directly.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void MetropolisSweep()
    {
        int l = _lattice.Size, n = _lattice.Sites;
        if (_uniforms.Length != n)
        {
            _uniforms = new float[n];
            _codes = new sbyte[n];
        }
        _random.Fill(_uniforms);
        MetropolisKernel.Codes(_uniforms, _codes, _acceptance[4 + 2], _acceptance[4 + 4]);
        long de = 0, dm = 0;
        bool vector = Vectorized;
        fixed (sbyte* s = _lattice.Spins, codes = _codes)
        {
            for (int colour = 0; colour < 2; colour++)
            {
                for (int r = 0; r < l; r++)
                {
                    sbyte* row = s + r * l;
                    sbyte* up = s + (r == 0 ? l - 1 : r - 1) * l;
                    sbyte* down = s + (r == l - 1 ? 0 : r + 1) * l;
                    sbyte* cr = codes + r * l;
                    int parity = (r + colour) & 1;
                    int c = parity;
                    if (c == 0)
                    {
                        Update(row, 0, up[0] + down[0] + row[l - 1] + row[1], cr[0], ref de, ref dm);
                        c = 2;
                    }
                    if (vector)
                    {
                        int next = MetropolisKernel.Row(row, up, down, cr, l, parity, ref de, ref dm);
                        if (next > c) c = next + ((next & 1) == parity ? 0 : 1);
                    }
                    for (; c < l - 1; c += 2)
                        Update(row, c, up[c] + down[c] + row[c - 1] + row[c + 1], cr[c], ref de, ref dm);
                    if (c == l - 1)
                        Update(row, c, up[c] + down[c] + row[c - 1] + row[0], cr[c], ref de, ref dm);
                }
            }
        }
        Energy += de;
        Magnetization += dm;
    }

    // The Metropolis test of one site given its neighbour sum and acceptance code: branch-free, since the outcome is
    // unpredictable. k ≤ 2a is u < min(1, e^(−2βk)) (see MetropolisKernel).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Update(sbyte* row, int c, int neighbours, sbyte code, ref long de, ref long dm)
    {
        int si = row[c];
        int k = si * neighbours;
        int flip = k <= 2 * code ? 1 : 0;
        row[c] = (sbyte)(si - 2 * si * flip);
        de += 2 * k * flip;
        dm -= 2 * si * flip;
    }

    // Wolff clusters: a fixed number once ClustersPerSweep is set, else until N spins have flipped. Sites join when
    // they carry the cluster's old spin and a uniform falls below p = 1 − e^(−2β); flipping on joining marks them visited.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WolffSweep()
    {
        int l = _lattice.Size, n = _lattice.Sites;
        if (_stack.Length != n) _stack = new int[n];
        sbyte[] s = _lattice.Spins;
        int[] stack = _stack;
        float p = _addProbability;
        ulong columnMagic = ulong.MaxValue / (ulong)l + 1;
        long flipped = 0;
        int clusters = 0;
        while (ClustersPerSweep is { } fixedCount ? clusters < fixedCount : flipped < n)
        {
            int seedSite = _random.NextInt(n);
            sbyte old = s[seedSite];
            sbyte flippedSpin = (sbyte)-old;
            s[seedSite] = flippedSpin;
            int top = 0, size = 1;
            stack[top++] = seedSite;
            while (top > 0)
            {
                int i = stack[--top];
                // Column by Lemire's multiply-shift remainder (no division in the hot loop).
                int c = (int)Math.BigMul(columnMagic * (ulong)(uint)i, (ulong)l, out _);
                int up = i >= l ? i - l : i + n - l, down = i + l < n ? i + l : i + l - n;
                int west = c == 0 ? i + l - 1 : i - 1, east = c == l - 1 ? i - l + 1 : i + 1;
                if (s[up] == old && _random.NextFloat() < p) { s[up] = flippedSpin; stack[top++] = up; size++; }
                if (s[down] == old && _random.NextFloat() < p) { s[down] = flippedSpin; stack[top++] = down; size++; }
                if (s[west] == old && _random.NextFloat() < p) { s[west] = flippedSpin; stack[top++] = west; size++; }
                if (s[east] == old && _random.NextFloat() < p) { s[east] = flippedSpin; stack[top++] = east; size++; }
            }
            Magnetization -= 2L * old * size;
            flipped += size;
            clusters++;
        }
        _clusters += clusters;
        _clusterSpins += flipped;
        Energy = _lattice.Energy();
    }
}
