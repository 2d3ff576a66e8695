namespace Polymath.Physics;

/// <summary>
/// Runs many independent 2D Ising chains — every (L, T, replica) of an <see cref="IsingRunOptions"/> — in parallel on
/// all cores and turns their time series into <see cref="IsingObservables"/>. Each chain's random stream is keyed by
/// (seed, L, T, replica) alone, so results do not depend on the thread count or on which other chains are in the run.
/// </summary>
public static class IsingSimulation
{
    /// <summary>Runs the chains and returns one <see cref="IsingObservables"/> per (L, T), ordered by L then by T as given.</summary>
    /// <param name="options">What to run; validated before any work starts.</param>
    /// <param name="progress">Told the number of chains finished so far, after each one.</param>
    /// <param name="cancellationToken">Stops between sweeps.</param>
    /// <exception cref="ArgumentException">Invalid options (see <see cref="IsingRunOptions.Validate"/>).</exception>
    /// <exception cref="InsufficientMemoryException">The run would not fit in memory.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static IReadOnlyList<IsingObservables> Run(IsingRunOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var series = RunChains(options, progress, cancellationToken);
        var results = new List<IsingObservables>();
        foreach (var group in series.GroupBy(s => (s.Size, s.Temperature)))
            results.Add(Analyze(group.ToList(), options.BlocksPerChain));
        return results;
    }

    /// <summary>Runs the chains and returns their raw series, ordered by L, then T, then replica.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="InsufficientMemoryException">The run would not fit in memory.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static IReadOnlyList<ChainSeries> RunChains(IsingRunOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var jobs = new List<(int L, double T, int Replica)>();
        foreach (int l in options.Sizes)
            foreach (double t in options.Temperatures)
                for (int r = 0; r < options.Replicas; r++) jobs.Add((l, t, r));
        var results = new ChainSeries[jobs.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism ?? Threads.Count, CancellationToken = cancellationToken };
        // Largest lattices first so the slowest chains do not start last.
        var order = Enumerable.Range(0, jobs.Count).OrderByDescending(i => jobs[i].L).ToArray();
        Parallel.ForEach(order, parallel, i =>
        {
            var (l, t, r) = jobs[i];
            results[i] = RunChain(options, l, t, r, cancellationToken);
            progress?.Report(Interlocked.Increment(ref done));
        });
        return results;
    }

    /// <summary>The random-stream index of the chain (L, T, replica): a hash of the three, independent of the run's other chains.</summary>
    public static ulong ChainIndex(int size, double temperature, int replica) =>
        ChainRandom.StreamKey((ulong)size * 0x100000001B3UL ^ (ulong)replica, (ulong)BitConverter.DoubleToInt64Bits(temperature));

    /// <summary>Creates the chain (L, T, replica) of a run, before any sweep.</summary>
    public static IsingChain CreateChain(IsingRunOptions options, int size, double temperature, int replica)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new IsingChain(size, temperature, options.Algorithm, options.Seed, ChainIndex(size, temperature, replica), options.HotStart);
    }

    /// <summary>
    /// Thermalises a fresh chain (burn-in, then the pilot phase, which measures τ_int) and returns it with the spacing
    /// to use between measurements.
    /// </summary>
    public static (IsingChain Chain, int Spacing, AutocorrelationTime? TauEnergy, AutocorrelationTime? TauAbsMagnetization) Thermalize(
        IsingRunOptions options, int size, double temperature, int replica, CancellationToken cancellationToken = default)
    {
        var chain = CreateChain(options, size, temperature, replica);
        for (int s = 0; s < options.BurnInSweeps; s++)
        {
            if ((s & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
            chain.Sweep();
        }
        chain.FixSweepLength();
        AutocorrelationTime? tauE = null, tauM = null;
        if (options.PilotSweeps > 0)
        {
            double n = chain.Lattice.Sites;
            var e = new double[options.PilotSweeps];
            var m = new double[options.PilotSweeps];
            for (int s = 0; s < e.Length; s++)
            {
                if ((s & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
                chain.Sweep();
                e[s] = chain.Energy / n;
                m[s] = Math.Abs(chain.Magnetization) / n;
            }
            tauE = Autocorrelation.IntegratedTime(e);
            tauM = Autocorrelation.IntegratedTime(m);
        }
        int spacing = options.MeasurementSpacing ?? Math.Max(1, (int)Math.Ceiling(Math.Max(tauE!.Value.Tau, tauM!.Value.Tau)));
        return (chain, spacing, tauE, tauM);
    }

    private static ChainSeries RunChain(IsingRunOptions options, int size, double temperature, int replica, CancellationToken cancellationToken)
    {
        var (chain, spacing, tauE, tauM) = Thermalize(options, size, temperature, replica, cancellationToken);
        long thermal = chain.SweepsDone;
        double n = chain.Lattice.Sites;
        var e = new double[options.Measurements];
        var m = new double[options.Measurements];
        for (int k = 0; k < e.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            chain.Sweep(spacing);
            e[k] = chain.Energy / n;
            m[k] = chain.Magnetization / n;
        }
        return new ChainSeries(size, temperature, replica, spacing, thermal, e, m, tauE, tauM);
    }

    /// <summary>
    /// Observables at one (L, T) from its replicas' series (all of one length): each series is cut into
    /// <paramref name="blocksPerChain"/> blocks, the blocks of all replicas are pooled, and every quantity is a
    /// jackknife estimate over the pooled blocks.
    /// </summary>
    /// <exception cref="ArgumentException">No series, or series of different (L, T) or lengths.</exception>
    public static IsingObservables Analyze(IReadOnlyList<ChainSeries> replicas, int blocksPerChain = 16)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count == 0) throw new ArgumentException("Ising analysis: no series given", nameof(replicas));
        var first = replicas[0];
        if (replicas.Any(r => r.Size != first.Size || r.Temperature != first.Temperature))
            throw new ArgumentException("Ising analysis: the series are not all of one (L, T)", nameof(replicas));
        double sites = (double)first.Size * first.Size, t = first.Temperature;
        var blocks = new List<double[]>();
        foreach (var r in replicas)
        {
            // Moments per measurement: e, e², |m|, m², m⁴.
            var e = r.Energy;
            var e2 = e.Select(x => x * x).ToArray();
            var am = r.Magnetization.Select(Math.Abs).ToArray();
            var m2 = r.Magnetization.Select(x => x * x).ToArray();
            var m4 = m2.Select(x => x * x).ToArray();
            blocks.AddRange(Jackknife.BlockMeans([e, e2, am, m2, m4], blocksPerChain));
        }
        var energy = Jackknife.FromBlockMeans(blocks, q => q[0]);
        var absM = Jackknife.FromBlockMeans(blocks, q => q[2]);
        var heat = Jackknife.FromBlockMeans(blocks, q => sites * (q[1] - q[0] * q[0]) / (t * t));
        var chi = Jackknife.FromBlockMeans(blocks, q => sites * (q[3] - q[2] * q[2]) / t);
        var binder = Jackknife.FromBlockMeans(blocks, q => 1 - q[4] / (3 * q[3] * q[3]));
        return new IsingObservables(first.Size, t, replicas.Count, first.Energy.Length, first.Spacing, first.ThermalizationSweeps,
            energy, absM, heat, chi, binder, MeanTau(replicas.Select(r => r.PilotTauEnergy)), MeanTau(replicas.Select(r => r.PilotTauAbsMagnetization)));
    }

    private static AutocorrelationTime? MeanTau(IEnumerable<AutocorrelationTime?> taus)
    {
        var list = taus.ToList();
        if (list.Any(x => x is null)) return null;
        var v = list.Select(x => x!.Value).ToList();
        return new AutocorrelationTime(v.Average(x => x.Tau), (int)Math.Round(v.Average(x => x.Window)),
            Math.Sqrt(v.Sum(x => x.Error * x.Error)) / v.Count, v.All(x => x.Reliable));
    }
}
