using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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
    public double GrowthFactor { get; private set; }

    /// <summary>Backoff factor.</summary>
    public double BackoffFactor { get; private set; }

    /// <summary>Good steps in a row before the scale grows.</summary>
    public int GrowthInterval { get; private set; }

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

    /// <summary>
    /// The scaler's state for a checkpoint, as PyTorch's <c>GradScaler.state_dict()</c>: <c>scale</c>,
    /// <c>growth_tracker</c>, and the settings <c>growth_factor</c>, <c>backoff_factor</c>, <c>growth_interval</c>, plus
    /// <c>enabled</c> (1 or 0) and <c>skipped_steps</c>. A disabled scaler's state holds only <c>enabled</c> = 0, as
    /// PyTorch returns an empty dict then.
    /// </summary>
    public IReadOnlyDictionary<string, double> StateDict() => !Enabled
        ? new Dictionary<string, double> { ["enabled"] = 0 }
        : new Dictionary<string, double>
        {
            ["scale"] = LossScale,
            ["growth_tracker"] = GrowthTracker,
            ["growth_factor"] = GrowthFactor,
            ["backoff_factor"] = BackoffFactor,
            ["growth_interval"] = GrowthInterval,
            ["enabled"] = 1,
            ["skipped_steps"] = SkippedSteps,
        };

    /// <summary>
    /// Restores <see cref="StateDict"/>: the scale and growth tracker, and the settings when present (a state written
    /// before they were saved holds only <c>scale</c> and <c>growth_tracker</c>; the settings then stay as constructed).
    /// </summary>
    /// <exception cref="ArgumentException">A required key is missing, a value is out of range (named), or the state
    /// is a disabled scaler's and this one is enabled (PyTorch refuses that too).</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.TryGetValue("enabled", out var en) && en == 0)
        {
            if (Enabled)
                throw new ArgumentException("GradScaler.LoadStateDict: the state is a disabled scaler's (no scale saved); create the scaler with its defaults instead.");
            return;
        }
        if (!state.TryGetValue("scale", out var s) || !(s > 0) || double.IsInfinity(s))
            throw new ArgumentException("GradScaler.LoadStateDict: 'scale' is missing or not positive and finite.");
        if (!state.TryGetValue("growth_tracker", out var g) || !(g >= 0) || g != Math.Floor(g) || g > int.MaxValue)
            throw new ArgumentException("GradScaler.LoadStateDict: 'growth_tracker' is missing or not a whole number >= 0.");
        double gf = GrowthFactor, bf = BackoffFactor;
        int gi = GrowthInterval;
        if (state.TryGetValue("growth_factor", out var v) && !((gf = v) > 1))
            throw new ArgumentException($"GradScaler.LoadStateDict: 'growth_factor' must be > 1, got {v}.");
        if (state.TryGetValue("backoff_factor", out v) && !((bf = v) > 0 && v < 1))
            throw new ArgumentException($"GradScaler.LoadStateDict: 'backoff_factor' must be in (0, 1), got {v}.");
        if (state.TryGetValue("growth_interval", out v))
        {
            if (!(v >= 1) || v != Math.Floor(v) || v > int.MaxValue)
                throw new ArgumentException($"GradScaler.LoadStateDict: 'growth_interval' must be a whole number >= 1, got {v}.");
            gi = (int)v;
        }
        if (g >= gi)
            throw new ArgumentException($"GradScaler.LoadStateDict: 'growth_tracker' {g} must be below 'growth_interval' {gi}.");
        LossScale = s;
        GrowthTracker = (int)g;
        GrowthFactor = gf;
        BackoffFactor = bf;
        GrowthInterval = gi;
        if (state.TryGetValue("skipped_steps", out v) && v >= 0)
            SkippedSteps = (long)v;
    }

    /// <summary>The key under which training checkpoints keep <see cref="StateJson"/> (in <see cref="CheckpointInfo.Extra"/>).</summary>
    public const string CheckpointKey = "grad_scaler";

    /// <summary><see cref="StateDict"/> as a JSON object (numbers written to round-trip exactly).</summary>
    public string StateJson()
    {
        var o = new JsonObject();
        foreach (var (k, v) in StateDict())
            o[k] = JsonValue.Create(v);
        return o.ToJsonString();
    }

    /// <summary>Restores a <see cref="StateJson"/> text (see <see cref="LoadStateDict"/>).</summary>
    /// <exception cref="ArgumentException">Not a JSON object of numbers, or a value <see cref="LoadStateDict"/> rejects; the message names <paramref name="source"/>.</exception>
    public void LoadStateJson(string json, string source)
    {
        var state = new Dictionary<string, double>();
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o)
                throw new ArgumentException($"{source}: the GradScaler state is not a JSON object: {json}");
            foreach (var (k, v) in o)
                state[k] = v is JsonValue jv && jv.TryGetValue(out double d) ? d
                    : throw new ArgumentException($"{source}: GradScaler state '{k}' is not a number: {v?.ToJsonString() ?? "null"}");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{source}: the GradScaler state is not valid JSON ({e.Message}): {json}", e);
        }
        try
        {
            LoadStateDict(state);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>A one-line description of the state, e.g. "scale 32768, growth tracker 3 of 2000, 2 skipped step(s)".</summary>
    public override string ToString() => !Enabled ? "disabled" : string.Create(CultureInfo.InvariantCulture,
        $"scale {LossScale}, growth tracker {GrowthTracker} of {GrowthInterval}, {SkippedSteps} skipped step(s)");
}
