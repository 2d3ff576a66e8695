namespace Polymath.Quantum;

/// <summary>
/// Simultaneous perturbation stochastic approximation (Spall, IEEE Trans. Autom. Control 37 (1992) 332; gains from
/// Spall, IEEE Trans. Aerosp. Electron. Syst. 34 (1998) 817): each iteration estimates the gradient from two evaluations
/// at x ± cₖΔ with a random ±1 vector Δ, and steps by aₖ = a/(k + 1 + A)^0.602 with cₖ = c/(k + 1)^0.101. Made for noisy
/// objectives (shot noise); seeded, so runs repeat exactly. Returns the best point evaluated.
/// </summary>
public sealed class Spsa : IOptimizer
{
    /// <summary>Iterations. Default 500.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Step-size numerator a. Default 0.2.</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>Perturbation size c. Default 0.1.</summary>
    public double Perturbation { get; init; } = 0.1;

    /// <summary>Stability constant A (Spall suggests about 10% of the iterations). Default: MaxIterations / 10.</summary>
    public double? StabilityConstant { get; init; }

    /// <summary>Seed for the perturbation directions.</summary>
    public int Seed { get; init; }

    /// <inheritdoc/>
    public bool UsesGradient => false;

    /// <inheritdoc/>
    public OptimizationResult Minimize(Func<double[], double> value, Func<double[], (double Value, double[] Gradient)>? valueAndGradient,
        double[] initial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(initial);
        int n = initial.Length;
        var rng = new Random(Seed);
        double bigA = StabilityConstant ?? MaxIterations / 10.0;
        var x = (double[])initial.Clone();
        double fBest = value(x);
        var best = (double[])x.Clone();
        int evals = 1;
        var history = new List<double> { fBest };
        var delta = new double[n];
        int k = 0;
        for (; k < MaxIterations && !cancellationToken.IsCancellationRequested; k++)
        {
            double ak = LearningRate / Math.Pow(k + 1 + bigA, 0.602), ck = Perturbation / Math.Pow(k + 1, 0.101);
            for (int i = 0; i < n; i++) delta[i] = rng.Next(2) == 0 ? -1 : 1;
            var plus = x.Select((v, i) => v + ck * delta[i]).ToArray();
            var minus = x.Select((v, i) => v - ck * delta[i]).ToArray();
            double fp = value(plus), fm = value(minus);
            evals += 2;
            double scale = (fp - fm) / (2 * ck);
            for (int i = 0; i < n; i++) x[i] -= ak * scale / delta[i];
            // Track the best point seen among the evaluated ones (the iterate itself is not evaluated, to save calls).
            if (fp < fBest) { fBest = fp; best = plus; }
            if (fm < fBest) { fBest = fm; best = minus; }
            history.Add(fBest);
        }
        double fx = value(x);
        evals++;
        if (fx < fBest) { fBest = fx; best = (double[])x.Clone(); }
        return new OptimizationResult(best, fBest, k, evals, false, history);
    }
}
