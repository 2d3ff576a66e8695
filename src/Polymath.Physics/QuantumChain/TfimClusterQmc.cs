namespace Polymath.Physics;

/// <summary>
/// Continuous imaginary-time cluster quantum Monte Carlo for the transverse-field Ising chain
/// H = −J Σ ZᵢZᵢ₊₁ − h Σ Xᵢ at inverse temperature β: the Swendsen–Wang algorithm on the chain's world lines
/// (Rieger &amp; Kawashima, Eur. Phys. J. B 9, 233 (1999)). It reaches chains far beyond exact diagonalisation
/// (hundreds of sites); at β ≫ 1/gap its Z-basis snapshots are measurements of the ground state.
/// </summary>
/// <remarks>
/// A configuration is, per site, the Z value at τ = 0 and the sorted imaginary times in [0, β) where it flips
/// (kinks; an even number, time is periodic). One <see cref="Sweep"/>:
/// <list type="number">
/// <item>cut every site's time line at its kinks and at new points of a Poisson process of rate h (the transverse
/// term h(1 + X) split into its diagonal and flip parts, each with weight h dτ), giving segments of constant spin;</item>
/// <item>for every bond, draw a Poisson process of rate 2|J| and join the two segments that contain each of its times
/// when their spins satisfy the bond (parallel for J &gt; 0, antiparallel for J &lt; 0) — the Fortuin–Kasteleyn
/// decomposition of exp(J ∫ sᵢsⱼ dτ);</item>
/// <item>flip every cluster with probability ½; cuts between segments that now differ become the new kinks.</item>
/// </list>
/// There is no Trotter error. Estimators: ⟨ZᵢZⱼ⟩ from snapshots at a uniform random τ, ⟨Xᵢ⟩ = ⟨kinksᵢ⟩/(βh), energy
/// −J Σ⟨ZᵢZⱼ⟩ − ⟨kinks⟩/β. Every random draw comes from one <see cref="ChainRandom"/> stream.
/// </remarks>
public sealed class TfimClusterQmc
{
    private readonly ChainRandom _random;
    private readonly sbyte[] _spinAtZero;
    private readonly GrowableTimes[] _kinks;

    // Per-sweep work space, reused: each site's cut times, the spin of each segment, union-find parents.
    private readonly GrowableTimes[] _cuts;
    private readonly int[] _segmentOffset;
    private sbyte[] _segmentSpin = new sbyte[256];
    private int[] _parent = new int[256];
    private sbyte[] _flip = new sbyte[256];

    /// <summary>Starts a chain of <paramref name="sites"/> spins from the all-up world lines (no kinks).</summary>
    /// <param name="sites">Sites n (≥ 2).</param>
    /// <param name="field">Transverse field h (finite, ≥ 0).</param>
    /// <param name="coupling">J (finite, non-zero; positive is ferromagnetic).</param>
    /// <param name="periodic">Periodic chain (bond n−1↔0) or open.</param>
    /// <param name="beta">Inverse temperature β (finite, &gt; 0).</param>
    /// <param name="seed">Run seed.</param>
    /// <param name="stream">Which of the run's random streams this chain owns.</param>
    /// <exception cref="ArgumentException">A parameter out of range, named with its value.</exception>
    public TfimClusterQmc(int sites, double field, double coupling, bool periodic, double beta, ulong seed, ulong stream = 0)
    {
        if (sites < 2) throw new ArgumentException($"TFIM QMC: the chain needs at least 2 sites, not {sites}", nameof(sites));
        if (!(field >= 0) || !double.IsFinite(field)) throw new ArgumentException($"TFIM QMC: the field must be finite and non-negative, not {field}", nameof(field));
        if (!double.IsFinite(coupling) || coupling == 0) throw new ArgumentException($"TFIM QMC: the coupling must be finite and non-zero, not {coupling}", nameof(coupling));
        if (!(beta > 0) || !double.IsFinite(beta)) throw new ArgumentException($"TFIM QMC: β must be finite and positive, not {beta}", nameof(beta));
        Sites = sites;
        Field = field;
        Coupling = coupling;
        Periodic = periodic;
        Beta = beta;
        _random = new ChainRandom(seed, stream);
        _spinAtZero = Enumerable.Repeat((sbyte)1, sites).ToArray();
        _kinks = Enumerable.Range(0, sites).Select(_ => new GrowableTimes()).ToArray();
        _cuts = Enumerable.Range(0, sites).Select(_ => new GrowableTimes()).ToArray();
        _segmentOffset = new int[sites + 1];
    }

    /// <summary>Sites n.</summary>
    public int Sites { get; }

    /// <summary>The transverse field h.</summary>
    public double Field { get; }

    /// <summary>The coupling J.</summary>
    public double Coupling { get; }

    /// <summary>Periodic or open chain.</summary>
    public bool Periodic { get; }

    /// <summary>Inverse temperature β.</summary>
    public double Beta { get; }

    /// <summary>Sweeps done so far.</summary>
    public long SweepCount { get; private set; }

    /// <summary>Kinks (spin flips in imaginary time) on all sites now.</summary>
    public int KinkCount => _kinks.Sum(k => k.Count);

    /// <summary>Kinks on site <paramref name="site"/> now; its mean over sweeps is β h ⟨Xᵢ⟩.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A site outside [0, n).</exception>
    public int SiteKinkCount(int site)
    {
        if ((uint)site >= (uint)Sites) throw new ArgumentOutOfRangeException(nameof(site), site, $"TFIM QMC: site {site} outside [0, {Sites})");
        return _kinks[site].Count;
    }

    /// <summary>Runs <paramref name="count"/> cluster sweeps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public void Sweep(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (int s = 0; s < count; s++) SweepOnce();
    }

    /// <summary>
    /// The Z values (±1) of every site at imaginary time <paramref name="tau"/> ∈ [0, β), written into
    /// <paramref name="destination"/> (length n).
    /// </summary>
    /// <exception cref="ArgumentException">A destination of the wrong length or τ outside [0, β).</exception>
    public void Snapshot(double tau, Span<sbyte> destination)
    {
        if (destination.Length != Sites) throw new ArgumentException($"TFIM QMC: the snapshot needs {Sites} values, not {destination.Length}", nameof(destination));
        if (!(tau >= 0 && tau < Beta)) throw new ArgumentException($"TFIM QMC: τ = {tau} is outside [0, {Beta})", nameof(tau));
        for (int i = 0; i < Sites; i++)
        {
            int flips = CountAtOrBefore(_kinks[i], tau);
            destination[i] = (sbyte)((flips & 1) == 0 ? _spinAtZero[i] : -_spinAtZero[i]);
        }
    }

    /// <summary>A snapshot at a uniformly drawn imaginary time (from this chain's stream): a Z-basis measurement.</summary>
    public sbyte[] RandomSnapshot()
    {
        var s = new sbyte[Sites];
        Snapshot(NextSnapshotTime(), s);
        return s;
    }

    /// <summary>An imaginary time drawn uniformly from [0, β) with 48 random bits, from this chain's stream.</summary>
    public double NextSnapshotTime() => Math.Min(NextDouble() * Beta, Math.BitDecrement(Beta));

    /// <summary>
    /// The energy estimate from a snapshot of this configuration: −J Σ_bonds zᵢzⱼ − kinks/β (unbiased when the
    /// snapshot's τ is drawn uniformly, as <see cref="RandomSnapshot"/> and <see cref="NextSnapshotTime"/> do).
    /// </summary>
    /// <exception cref="ArgumentException">A snapshot of the wrong length.</exception>
    public double EnergyEstimate(ReadOnlySpan<sbyte> snapshot)
    {
        if (snapshot.Length != Sites) throw new ArgumentException($"TFIM QMC: the snapshot needs {Sites} values, not {snapshot.Length}", nameof(snapshot));
        double bonds = 0;
        for (int b = 0; b < BondCount; b++) bonds += snapshot[b] * snapshot[(b + 1) % Sites];
        return -Coupling * bonds - KinkCount / Beta;
    }

    // Bonds i–(i+1): n − 1 on an open chain, n on a periodic one (two sites share a single bond either way).
    private int BondCount => Periodic && Sites > 2 ? Sites : Sites - 1;

    /// <summary>The current configuration's estimate of ⟨Xᵢ⟩ averaged over sites: kinks/(β h n); 1 at h = 0 is undefined, so NaN.</summary>
    public double TransverseMagnetizationEstimate() => Field > 0 ? KinkCount / (Beta * Field * Sites) : double.NaN;

    private void SweepOnce()
    {
        int n = Sites;
        // 1. Cuts: old kinks merged with a fresh Poisson process of rate h; segments between consecutive cuts.
        int total = 0;
        for (int i = 0; i < n; i++)
        {
            MergeCuts(_kinks[i], _cuts[i]);
            _segmentOffset[i] = total;
            total += Math.Max(1, _cuts[i].Count);
        }
        _segmentOffset[n] = total;
        Ensure(ref _segmentSpin, total);
        Ensure(ref _parent, total);
        Ensure(ref _flip, total);
        for (int i = 0; i < n; i++)
        {
            // Segment k spans [c_k, c_{k+1}); the last one wraps through β to c_0 and holds the spin at τ = 0.
            var isKink = _cuts[i].IsKink;
            int offset = _segmentOffset[i], m = _cuts[i].Count;
            sbyte s = _spinAtZero[i];
            if (m == 0) _segmentSpin[offset] = s;
            for (int k = 0; k < m; k++)
            {
                if (isKink[k]) s = (sbyte)-s;
                _segmentSpin[offset + k] = s;
            }
        }
        for (int k = 0; k < total; k++) _parent[k] = k;

        // 2. Bonds: a Poisson process of rate 2|J| per bond; a time joins the two segments it falls in when they satisfy the bond.
        int bonds = BondCount;
        double rate = 2 * Math.Abs(Coupling);
        int sign = Coupling > 0 ? 1 : -1;
        for (int b = 0; b < bonds; b++)
        {
            int i = b, j = (b + 1) % n;
            var ci = _cuts[i].Times;
            var cj = _cuts[j].Times;
            int pi = 0, pj = 0, mi = _cuts[i].Count, mj = _cuts[j].Count;
            for (double t = Exponential(rate); t < Beta; t += Exponential(rate))
            {
                while (pi < mi && ci[pi] <= t) pi++;
                while (pj < mj && cj[pj] <= t) pj++;
                int a = SegmentAt(i, pi), c = SegmentAt(j, pj);
                if (_segmentSpin[a] * _segmentSpin[c] == sign) Union(a, c);
            }
        }

        // 3. Flip each cluster with probability ½; the new kinks are the cuts whose two sides now differ.
        for (int k = 0; k < total; k++)
            if (_parent[k] == k) _flip[k] = (sbyte)(_random.NextFloat() < 0.5f ? -1 : 1);
        for (int k = 0; k < total; k++) _segmentSpin[k] *= _flip[Find(k)];
        for (int i = 0; i < n; i++)
        {
            var cuts = _cuts[i].Times;
            var kinks = _kinks[i];
            kinks.Clear();
            int offset = _segmentOffset[i], m = _cuts[i].Count;
            sbyte last = _segmentSpin[offset + Math.Max(1, m) - 1];
            _spinAtZero[i] = last;
            sbyte before = last;
            for (int k = 0; k < m; k++)
            {
                sbyte after = _segmentSpin[offset + k];
                if (after != before) kinks.Add(cuts[k], true);
                before = after;
            }
        }
        SweepCount++;
    }

    // The segment of site i that contains a time with `cutsBefore` cuts at or before it: cut 0's predecessor is the wrapping last segment.
    private int SegmentAt(int site, int cutsBefore)
    {
        int m = _cuts[site].Count;
        int offset = _segmentOffset[site];
        return m == 0 ? offset : offset + (cutsBefore == 0 ? m - 1 : cutsBefore - 1);
    }

    private void MergeCuts(GrowableTimes kinks, GrowableTimes cuts)
    {
        cuts.Clear();
        int k = 0, m = kinks.Count;
        var times = kinks.Times;
        if (Field > 0)
        {
            for (double t = Exponential(Field); t < Beta; t += Exponential(Field))
            {
                while (k < m && times[k] <= t) cuts.Add(times[k++], true);
                cuts.Add(t, false);
            }
        }
        while (k < m) cuts.Add(times[k++], true);
    }

    private int Find(int k)
    {
        while (_parent[k] != k)
        {
            _parent[k] = _parent[_parent[k]];
            k = _parent[k];
        }
        return k;
    }

    private void Union(int a, int b)
    {
        a = Find(a);
        b = Find(b);
        // Link by index: the smaller root wins, which keeps the trees shallow enough with path halving.
        if (a < b) _parent[b] = a;
        else if (b < a) _parent[a] = b;
    }

    private static int CountAtOrBefore(GrowableTimes sorted, double t)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (sorted.Times[mid] <= t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // A site's sorted imaginary times with a kink flag each, in arrays that only grow (no per-sweep allocation).
    private sealed class GrowableTimes
    {
        public double[] Times = new double[16];
        public bool[] IsKink = new bool[16];
        public int Count;

        public void Clear() => Count = 0;

        public void Add(double time, bool isKink)
        {
            if (Count == Times.Length)
            {
                Array.Resize(ref Times, Count * 2);
                Array.Resize(ref IsKink, Count * 2);
            }
            Times[Count] = time;
            IsKink[Count++] = isKink;
        }
    }

    // A uniform double in [0, 1) with 48 random bits (two 24-bit draws), so waiting times are not visibly quantised.
    private double NextDouble()
    {
        double hi = Math.Floor(_random.NextFloat() * 16777216.0), lo = Math.Floor(_random.NextFloat() * 16777216.0);
        return (hi * 16777216.0 + lo) / 281474976710656.0;
    }

    // Waiting times from one 24-bit draw: the tail is cut at 16.6/rate (probability 6e-8), far below statistical noise.
    private double Exponential(double rate) => -Math.Log(1 - (double)_random.NextFloat()) / rate;

    private static void Ensure<T>(ref T[] array, int length)
    {
        if (array.Length < length) array = new T[Math.Max(length, array.Length * 2)];
    }
}
