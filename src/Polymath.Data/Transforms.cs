namespace Polymath.Data.Transforms;

/// <summary>
/// A function from tensor to tensor applied to data set items (torchvision's transforms). Converts implicitly to
/// <c>Func&lt;Tensor, Tensor&gt;</c>, so it can be passed wherever a data set takes a transform. Transforms never
/// modify their input in place.
/// </summary>
public abstract class Transform
{
    /// <summary>Applies the transform.</summary>
    public abstract Tensor Apply(Tensor input);

    /// <summary>The transform as a delegate.</summary>
    public static implicit operator Func<Tensor, Tensor>(Transform transform) => transform.Apply;
}

/// <summary>
/// A transform that draws random numbers. It draws from <see cref="SampleRandom.Current"/> while a
/// <see cref="DataLoader{T, TBatch}"/> loads an item (reproducible for any number of workers), otherwise from the
/// generator it was given, otherwise from <see cref="Random.Default"/>.
/// </summary>
public abstract class RandomTransform : Transform
{
    private readonly Generator? _generator;
    private readonly Lock _lock = new();

    /// <summary>Stores the fallback generator (null: <see cref="Random.Default"/>).</summary>
    protected RandomTransform(Generator? generator) => _generator = generator;

    /// <summary>A uniform double in [0, 1) from the current source.</summary>
    protected double NextDouble()
    {
        if (SampleRandom.Current is { } g) return g.NextDouble();
        lock (_lock) return (_generator ?? Random.Default).NextDouble();
    }

    /// <summary>A uniform integer in [low, highExclusive) from the current source.</summary>
    protected long NextLong(long low, long highExclusive)
    {
        if (SampleRandom.Current is { } g) return g.NextLong(low, highExclusive);
        lock (_lock) return (_generator ?? Random.Default).NextLong(low, highExclusive);
    }
}

/// <summary>Applies transforms in order.</summary>
public sealed class Compose : Transform
{
    private readonly Func<Tensor, Tensor>[] _steps;

    /// <summary>Chains <paramref name="steps"/>.</summary>
    public Compose(params Func<Tensor, Tensor>[] steps) => _steps = (Func<Tensor, Tensor>[])steps.Clone();

    /// <summary>Chains <paramref name="steps"/>.</summary>
    public Compose(params Transform[] steps) => _steps = steps.Select(s => (Func<Tensor, Tensor>)s.Apply).ToArray();

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input)
    {
        foreach (var step in _steps)
            input = step(input);
        return input;
    }
}

/// <summary>Wraps a delegate as a transform.</summary>
public sealed class Lambda(Func<Tensor, Tensor> function) : Transform
{
    /// <inheritdoc/>
    public override Tensor Apply(Tensor input) => function(input);
}

/// <summary>
/// Per-channel normalisation (x − mean[c]) / std[c] of an image [C, H, W] or a batch [B, C, H, W].
/// </summary>
public sealed class Normalize : Transform
{
    private readonly double[] _mean, _std;

    /// <summary>One mean and std per channel (e.g. MNIST: 0.1307, 0.3081).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a std is not positive.</exception>
    public Normalize(double[] mean, double[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: needs one mean and one std per channel, got {mean.Length} means and {std.Length} stds.");
        if (std.Any(s => !(s > 0)))
            throw new ArgumentException($"Normalize: every std must be positive, got [{string.Join(", ", std)}].");
        (_mean, _std) = ((double[])mean.Clone(), (double[])std.Clone());
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input has rank below 3 or its channel dim (−3) differs from the number of means.</exception>
    public override Tensor Apply(Tensor input)
    {
        if (input.Rank < 3 || input.Size(-3) != _mean.Length)
            throw new ArgumentException($"Normalize: expects [..., C={_mean.Length}, H, W], got [{string.Join(",", input.Shape)}].");
        var dtype = input.DType.IsFloatingPoint() ? input.DType : DType.Float32;
        var mean = Tensor.From(_mean, _mean.Length, 1, 1).To(dtype);
        var std = Tensor.From(_std, _std.Length, 1, 1).To(dtype);
        return input.To(dtype).Sub(mean).Div(std);
    }
}

/// <summary>
/// Converts an image [H, W, C] of values 0..255 (any dtype) to float32 [C, H, W] in [0, 1] (torchvision's ToTensor).
/// </summary>
public sealed class ToTensor : Transform
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not 3-d.</exception>
    public override Tensor Apply(Tensor input)
    {
        if (input.Rank != 3)
            throw new ArgumentException($"ToTensor: expects an image [H, W, C], got [{string.Join(",", input.Shape)}].");
        return input.To(DType.Float32).Permute(2, 0, 1).Contiguous().Div(255.0);
    }

    /// <summary>Interleaved pixels (height × width × channels bytes, row-major) as float32 [C, H, W] in [0, 1].</summary>
    /// <exception cref="ArgumentException">The byte count is not height × width × channels.</exception>
    public static Tensor FromBytes(ReadOnlySpan<byte> hwc, int height, int width, int channels)
    {
        if ((long)height * width * channels != hwc.Length)
            throw new ArgumentException($"ToTensor.FromBytes: {hwc.Length} bytes are not {height}×{width}×{channels}.");
        var data = new float[hwc.Length];
        int plane = height * width;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < channels; c++)
                data[c * plane + p] = hwc[p * channels + c] / 255f; // divide, as ToTensor.Apply does, so both give the same floats
        return Tensor.Wrap(data, channels, height, width);
    }
}

/// <summary>
/// Pads the last two dims (H, W) with zeros by <c>padding</c> on every side, then crops a random
/// <c>height × width</c> window (torchvision's RandomCrop). Works on [..., H, W]; a batch gets one crop.
/// </summary>
public sealed class RandomCrop : RandomTransform
{
    /// <summary>A square crop of <paramref name="size"/>.</summary>
    public RandomCrop(int size, int padding = 0, Generator? generator = null) : this(size, size, padding, generator)
    {
    }

    /// <summary>A <paramref name="height"/> × <paramref name="width"/> crop.</summary>
    /// <exception cref="ArgumentException">A non-positive size or negative padding.</exception>
    public RandomCrop(int height, int width, int padding, Generator? generator = null) : base(generator)
    {
        if (height < 1 || width < 1 || padding < 0)
            throw new ArgumentException($"RandomCrop: need positive sizes and non-negative padding, got {height}×{width}, padding {padding}.");
        (Height, Width, Padding) = (height, width, padding);
    }

    /// <summary>Crop height.</summary>
    public int Height { get; }

    /// <summary>Crop width.</summary>
    public int Width { get; }

    /// <summary>Zeros added on each side before cropping.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input has rank below 2 or is smaller than the crop after padding.</exception>
    public override Tensor Apply(Tensor input)
    {
        if (input.Rank < 2)
            throw new ArgumentException($"RandomCrop: expects [..., H, W], got [{string.Join(",", input.Shape)}].");
        var x = Padding > 0 ? Pad(input, Padding) : input;
        int h = x.Size(-2), w = x.Size(-1);
        if (h < Height || w < Width)
            throw new ArgumentException($"RandomCrop: a {Height}×{Width} crop does not fit an image of {h}×{w} (after padding {Padding}).");
        long top = NextLong(0, h - Height + 1);
        long left = NextLong(0, w - Width + 1);
        return x.Narrow(-2, top, Height).Narrow(-1, left, Width).Contiguous();
    }

    private static Tensor Pad(Tensor x, int p)
    {
        var shape = x.Shape;
        int r = shape.Length;
        var rows = (int[])shape.Clone();
        rows[r - 2] = p;
        var zr = Tensor.Zeros(rows, x.DType);
        x = Tensor.Cat([zr, x, zr], r - 2);
        var cols = x.Shape;
        cols[r - 1] = p;
        var zc = Tensor.Zeros(cols, x.DType);
        return Tensor.Cat([zc, x, zc], r - 1);
    }
}

/// <summary>Flips the last dim (W) with probability <c>p</c> (torchvision's RandomHorizontalFlip).</summary>
public sealed class RandomHorizontalFlip : RandomTransform
{
    /// <summary>Flips with probability <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public RandomHorizontalFlip(double p = 0.5, Generator? generator = null) : base(generator)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException($"RandomHorizontalFlip: p must lie in [0, 1], got {p}.");
        P = p;
    }

    /// <summary>Probability of a flip.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input)
    {
        if (NextDouble() >= P)
            return input;
        return Flip(input);
    }

    /// <summary>The input mirrored along its last dim.</summary>
    public static Tensor Flip(Tensor input)
    {
        int w = input.Size(-1);
        var rev = new long[w];
        for (int i = 0; i < w; i++) rev[i] = w - 1 - i;
        return input.IndexSelect(-1, Tensor.From(rev, w));
    }
}
