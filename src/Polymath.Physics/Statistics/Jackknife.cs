namespace Polymath.Physics;

/// <summary>
/// Blocked jackknife estimates of functions of means (Efron 1982; for Monte Carlo time series see Berg, "Markov
/// Chain Monte Carlo Simulations and Their Statistical Analysis", 2004, ch. 2). The series is cut into B equal blocks;
/// when blocks are much longer than the autocorrelation time, the blocks are independent and the jackknife error of
/// f(⟨x⟩, ⟨y⟩, …) is honest, bias of nonlinear f included to O(1/B²).
/// </summary>
public static class Jackknife
{
    /// <summary>The default number of blocks.</summary>
    public const int DefaultBlocks = 32;

    /// <summary>
    /// The jackknife estimate of <paramref name="f"/> applied to the means of <paramref name="series"/> (all of equal
    /// length), from <paramref name="blocks"/> blocks. Returns the bias-corrected value B·f̄ − (B−1)·mean(f₍ᵢ₎) and the
    /// error √((B−1)/B · Σ (f₍ᵢ₎ − mean)²).
    /// </summary>
    /// <exception cref="ArgumentException">No series, series of different lengths, or fewer values than blocks (B ≥ 2).</exception>
    public static Estimate Estimate(IReadOnlyList<double[]> series, Func<double[], double> f, int blocks = DefaultBlocks)
    {
        var blockMeans = BlockMeans(series, blocks);
        return FromBlockMeans(blockMeans, f);
    }

    /// <summary>The per-block means: result[b][k] is the mean of series k over block b. Trailing values that do not fill a block are dropped.</summary>
    /// <exception cref="ArgumentException">No series, series of different lengths, or fewer values than blocks.</exception>
    public static double[][] BlockMeans(IReadOnlyList<double[]> series, int blocks)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("jackknife: no series given", nameof(series));
        int n = series[0].Length;
        foreach (var s in series)
            if (s.Length != n) throw new ArgumentException($"jackknife: series lengths differ ({n} and {s.Length})", nameof(series));
        if (blocks < 2 || n < blocks)
            throw new ArgumentException($"jackknife: need at least 2 blocks and one value per block (blocks = {blocks}, values = {n})", nameof(blocks));
        int len = n / blocks;
        var means = new double[blocks][];
        for (int b = 0; b < blocks; b++)
        {
            means[b] = new double[series.Count];
            for (int k = 0; k < series.Count; k++)
            {
                double sum = 0;
                var s = series[k];
                for (int i = b * len; i < (b + 1) * len; i++) sum += s[i];
                means[b][k] = sum / len;
            }
        }
        return means;
    }

    /// <summary>The jackknife estimate from independent block means (rows: blocks, columns: quantities).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 blocks.</exception>
    public static Estimate FromBlockMeans(IReadOnlyList<double[]> blockMeans, Func<double[], double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        int b = blockMeans.Count;
        if (b < 2) throw new ArgumentException($"jackknife: need at least 2 blocks, got {b}", nameof(blockMeans));
        int k = blockMeans[0].Length;
        var total = new double[k];
        foreach (var m in blockMeans)
            for (int j = 0; j < k; j++) total[j] += m[j];
        var all = new double[k];
        for (int j = 0; j < k; j++) all[j] = total[j] / b;
        double full = f(all);
        var leaveOut = new double[b];
        var buf = new double[k];
        double mean = 0;
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < k; j++) buf[j] = (total[j] - blockMeans[i][j]) / (b - 1);
            leaveOut[i] = f(buf);
            mean += leaveOut[i];
        }
        mean /= b;
        double ss = 0;
        foreach (double x in leaveOut) ss += (x - mean) * (x - mean);
        return new Estimate(b * full - (b - 1) * mean, Math.Sqrt((b - 1.0) / b * ss));
    }
}
