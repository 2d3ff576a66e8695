using System.Numerics.Tensors;

namespace Polymath.Scale.Compression;

/// <summary>
/// Watches the activations that reach a layer during calibration and chooses their uint8 <see cref="QuantParams"/>
/// (PyTorch's observers).
/// </summary>
public abstract class Observer
{
    /// <summary>Records one batch of values.</summary>
    public abstract void Observe(ReadOnlySpan<float> values);

    /// <summary>Records the values of a float tensor.</summary>
    public void Observe(Tensor x)
    {
        var c = x.Detach().Contiguous();
        if (c.DType != DType.Float32)
            c = c.To(DType.Float32);
        Observe(c.Data<float>().AsSpan(c.StorageOffset, checked((int)c.Numel)));
    }

    /// <summary>True once at least one value was observed.</summary>
    public abstract bool HasData { get; }

    /// <summary>The parameters for the values seen so far.</summary>
    /// <exception cref="InvalidOperationException">Nothing was observed.</exception>
    public abstract QuantParams Compute();

    /// <summary>An observer by name: <c>minmax</c> or <c>percentile</c> (99.99th).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Observer Create(string name) => name.ToLowerInvariant() switch
    {
        "minmax" => new MinMaxObserver(),
        "percentile" => new PercentileObserver(),
        _ => throw new ArgumentException($"unknown observer '{name}'; valid observers: minmax, percentile."),
    };
}

/// <summary>The range is the smallest and largest value seen.</summary>
public sealed class MinMaxObserver : Observer
{
    /// <summary>Smallest value seen.</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>Largest value seen.</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <inheritdoc/>
    public override bool HasData => Min <= Max;

    /// <inheritdoc/>
    public override void Observe(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return;
        Min = Math.Min(Min, TensorPrimitives.Min(values));
        Max = Math.Max(Max, TensorPrimitives.Max(values));
    }

    /// <inheritdoc/>
    public override QuantParams Compute() => HasData ? QuantParams.FromRange(Min, Max)
        : throw new InvalidOperationException("MinMaxObserver: no values were observed (calibrate with at least one batch).");
}

/// <summary>
/// The range runs from the <c>(100 − p)</c>th to the <c>p</c>th percentile of the values seen, so a few outliers do not
/// stretch the scale. Keeps at most <see cref="Capacity"/> values (every k-th beyond that, deterministically).
/// </summary>
public sealed class PercentileObserver(double percentile = 99.99, int capacity = 1 << 21) : Observer
{
    private readonly List<float> _values = [];
    private long _seen;
    private long _stride = 1;

    /// <summary>The upper percentile (the lower one is 100 minus it).</summary>
    public double Percentile { get; } = percentile is > 50 and <= 100 ? percentile
        : throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "PercentileObserver: the percentile must be in (50, 100].");

    /// <summary>Values kept at most.</summary>
    public int Capacity { get; } = capacity;

    /// <inheritdoc/>
    public override bool HasData => _values.Count > 0;

    /// <inheritdoc/>
    public override void Observe(ReadOnlySpan<float> values)
    {
        // Deterministic thinning, no random draw: keep every stride-th value; when the store fills, drop every
        // other kept value and double the stride.
        for (int i = 0; i < values.Length; i++)
        {
            if (_seen++ % _stride != 0)
                continue;
            _values.Add(values[i]);
            if (_values.Count >= Capacity)
            {
                int w = 0;
                for (int r = 0; r < _values.Count; r += 2)
                    _values[w++] = _values[r];
                _values.RemoveRange(w, _values.Count - w);
                _stride *= 2;
            }
        }
    }

    /// <inheritdoc/>
    public override QuantParams Compute()
    {
        if (!HasData)
            throw new InvalidOperationException("PercentileObserver: no values were observed (calibrate with at least one batch).");
        var sorted = _values.ToArray();
        Array.Sort(sorted);
        double hiRank = Percentile / 100 * (sorted.Length - 1);
        double loRank = (100 - Percentile) / 100 * (sorted.Length - 1);
        return QuantParams.FromRange(sorted[(int)Math.Floor(loRank)], sorted[(int)Math.Ceiling(hiRank)]);
    }
}

/// <summary>
/// Exponential moving average of each batch's min and max (what quantization-aware training uses, as PyTorch's
/// MovingAverageMinMaxObserver): the first batch sets the range, later ones move it by <see cref="Momentum"/>.
/// </summary>
public sealed class MovingAverageObserver(double momentum = 0.01) : Observer
{
    /// <summary>Weight of the newest batch.</summary>
    public double Momentum { get; } = momentum;

    /// <summary>Current lower bound.</summary>
    public double Min { get; private set; } = double.NaN;

    /// <summary>Current upper bound.</summary>
    public double Max { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public override bool HasData => !double.IsNaN(Min);

    /// <inheritdoc/>
    public override void Observe(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return;
        double lo = TensorPrimitives.Min(values), hi = TensorPrimitives.Max(values);
        if (!HasData) (Min, Max) = (lo, hi);
        else (Min, Max) = (Min + Momentum * (lo - Min), Max + Momentum * (hi - Max));
    }

    /// <summary>Sets the range directly (when loading a QAT checkpoint).</summary>
    public void Set(double min, double max) => (Min, Max) = (min, max);

    /// <inheritdoc/>
    public override QuantParams Compute() => HasData ? QuantParams.FromRange(Min, Max)
        : throw new InvalidOperationException("MovingAverageObserver: no values were observed (run at least one training batch).");
}
