using Polymath.Training;

namespace Polymath.Scale.Amp;

/// <summary>
/// Dynamic loss scaling for float16 training (PyTorch's <c>torch.amp.GradScaler</c>, with its defaults): the loss is
/// multiplied by <see cref="LossScale"/> before backward, so gradients too small for float16 (below 6e-8) survive;
/// <see cref="Step"/> divides the float32 master gradients by the scale and skips the update when any is Inf or NaN;
/// <see cref="Update"/> then halves the scale (backoff), or doubles it after <see cref="GrowthInterval"/> good steps
/// in a row. bfloat16 has float32's exponent range and normally needs no scaler.
/// </summary>
/// <example>
/// <code>
/// var scaler = new GradScaler();
/// using (Autocast.Enable(DType.Float16))
///     loss = Losses.CrossEntropy(model.Call(x), y);
/// scaler.Scale(loss).Backward();
/// scaler.Step(optimizer);   // unscales, skips on Inf/NaN
/// scaler.Update();
/// optimizer.ZeroGrad();
/// </code>
/// </example>
public sealed class GradScaler : ILossScaler
{
    private readonly HashSet<Optimizer> _unscaled = new(ReferenceEqualityComparer.Instance);
    private bool _foundInf;
    private bool _stepTaken;

    /// <summary>Creates a scaler.</summary>
    /// <param name="initScale">The first scale (PyTorch: 2^16).</param>
    /// <param name="growthFactor">Multiplies the scale after <paramref name="growthInterval"/> good steps (2).</param>
    /// <param name="backoffFactor">Multiplies the scale after a step with Inf/NaN gradients (0.5).</param>
    /// <param name="growthInterval">Good steps in a row before the scale grows (2000).</param>
    /// <param name="enabled">When false every method is a pass-through (one code path for float32 and float16 runs).</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor or the scale is out of range.</exception>
    public GradScaler(double initScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000, bool enabled = true)
    {
        if (!(initScale > 0) || double.IsInfinity(initScale))
            throw new ArgumentOutOfRangeException(nameof(initScale), $"GradScaler: initScale must be positive and finite, got {initScale}.");
        if (!(growthFactor > 1))
            throw new ArgumentOutOfRangeException(nameof(growthFactor), $"GradScaler: growthFactor must be > 1, got {growthFactor}.");
        if (!(backoffFactor > 0 && backoffFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(backoffFactor), $"GradScaler: backoffFactor must be in (0, 1), got {backoffFactor}.");
        if (growthInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(growthInterval), $"GradScaler: growthInterval must be >= 1, got {growthInterval}.");
        LossScale = initScale;
        GrowthFactor = growthFactor;
        BackoffFactor = backoffFactor;
        GrowthInterval = growthInterval;
        Enabled = enabled;
    }

    /// <summary>The current scale.</summary>
    public double LossScale { get; private set; }

    /// <summary>Growth factor.</summary>
    public double GrowthFactor { get; }

    /// <summary>Backoff factor.</summary>
    public double BackoffFactor { get; }

    /// <summary>Good steps in a row before the scale grows.</summary>
    public int GrowthInterval { get; }

    /// <summary>False for a pass-through scaler.</summary>
    public bool Enabled { get; }

    /// <summary>Good steps since the last growth or backoff.</summary>
    public int GrowthTracker { get; private set; }

    /// <summary>Steps skipped so far because a gradient was Inf or NaN.</summary>
    public long SkippedSteps { get; private set; }

    /// <inheritdoc/>
    public Tensor Scale(Tensor loss) => Enabled ? loss * LossScale : loss;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Called twice for one optimizer before <see cref="Update"/>.</exception>
    public void Unscale(Optimizer optimizer)
    {
        if (!Enabled)
            return;
        if (!_unscaled.Add(optimizer))
            throw new InvalidOperationException("GradScaler.Unscale: already called for this optimizer since the last Update().");
        double inv = 1.0 / LossScale;
        using (Tensor.NoGrad())
        {
            foreach (var group in optimizer.ParamGroups)
                foreach (var p in group.Params)
                {
                    if (p.Grad is not { } g)
                        continue;
                    g.MulInPlace(inv);
                    // 0·x is 0 for finite x and NaN for ±Inf or NaN, so the sum is NaN exactly when an element is not
                    // finite (a plain sum could overflow on large finite gradients).
                    if (!_foundInf && double.IsNaN(g.Mul(0.0).Sum().Item()))
                        _foundInf = true;
                }
        }
    }

    /// <inheritdoc/>
    public bool Step(Optimizer optimizer)
    {
        if (!Enabled)
        {
            optimizer.Step();
            return true;
        }
        if (!_unscaled.Contains(optimizer))
            Unscale(optimizer);
        _stepTaken = true;
        if (_foundInf)
            return false;
        optimizer.Step();
        return true;
    }

    /// <inheritdoc/>
    public void Update()
    {
        if (!Enabled || !_stepTaken && _unscaled.Count == 0)
            return;
        if (_foundInf)
        {
            LossScale *= BackoffFactor;
            GrowthTracker = 0;
            SkippedSteps++;
        }
        else if (++GrowthTracker >= GrowthInterval)
        {
            double grown = LossScale * GrowthFactor;
            if (double.IsFinite(grown))
                LossScale = grown;
            GrowthTracker = 0;
        }
        _foundInf = false;
        _stepTaken = false;
        _unscaled.Clear();
    }

    /// <summary>The scaler's state for a checkpoint (scale and growth tracker).</summary>
    public IReadOnlyDictionary<string, double> StateDict() => new Dictionary<string, double>
    {
        ["scale"] = LossScale,
        ["growth_tracker"] = GrowthTracker,
    };

    /// <summary>Restores <see cref="StateDict"/>.</summary>
    /// <exception cref="ArgumentException">A key is missing or the scale is not positive.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        if (!state.TryGetValue("scale", out var s) || !(s > 0))
            throw new ArgumentException("GradScaler.LoadStateDict: 'scale' is missing or not positive.");
        if (!state.TryGetValue("growth_tracker", out var g) || g < 0)
            throw new ArgumentException("GradScaler.LoadStateDict: 'growth_tracker' is missing or negative.");
        LossScale = s;
        GrowthTracker = (int)g;
    }
}
