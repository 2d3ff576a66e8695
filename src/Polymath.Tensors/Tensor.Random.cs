namespace Polymath;

public sealed partial class Tensor
{
    private static Generator Gen(Generator? generator) => generator ?? Random.Default;

    /// <summary>Uniform values in [0, 1) from the given generator (the global one by default).</summary>
    public static Tensor Rand(int[] shape, DType dtype = DType.Float32, Generator? generator = null) =>
        Empty((int[])shape.Clone(), RequireFloat(dtype, "rand")).UniformInPlace(0, 1, generator);

    /// <summary>Uniform float32 values in [0, 1).</summary>
    public static Tensor Rand(params int[] shape) => Rand(shape, DType.Float32);

    /// <summary>Standard normal values.</summary>
    public static Tensor Randn(int[] shape, DType dtype = DType.Float32, Generator? generator = null) =>
        Empty((int[])shape.Clone(), RequireFloat(dtype, "randn")).NormalInPlace(0, 1, generator);

    /// <summary>Standard normal float32 values.</summary>
    public static Tensor Randn(params int[] shape) => Randn(shape, DType.Float32);

    /// <summary>Uniform integers in [low, high) as int64.</summary>
    public static Tensor RandInt(long low, long high, int[] shape, Generator? generator = null)
    {
        var t = Empty((int[])shape.Clone(), DType.Int64);
        Gen(generator).FillRandInt(t.Data<long>(), low, high);
        return t;
    }

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    /// <exception cref="ArgumentException">n is negative.</exception>
    public static Tensor Randperm(int n, Generator? generator = null)
    {
        if (n < 0)
            throw new ArgumentException($"randperm: n must be non-negative, got {n}.");
        var t = Empty([n], DType.Int64);
        Gen(generator).Randperm(t.Data<long>());
        return t;
    }

    /// <summary>Fills with uniform values in [low, high), in place.</summary>
    public Tensor UniformInPlace(double low = 0, double high = 1, Generator? generator = null) => FillRandom(generator, "uniform_", (g, t) =>
    {
        if (t.DType == DType.Float32) g.FillUniform(t.Data<float>().AsSpan(0, (int)t.Numel), (float)low, (float)high);
        else g.FillUniform(t.Data<double>().AsSpan(0, (int)t.Numel), low, high);
    });

    /// <summary>Fills with normal values N(mean, std²), in place.</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1, Generator? generator = null) => FillRandom(generator, "normal_", (g, t) =>
    {
        if (t.DType == DType.Float32) g.FillNormal(t.Data<float>().AsSpan(0, (int)t.Numel), (float)mean, (float)std);
        else g.FillNormal(t.Data<double>().AsSpan(0, (int)t.Numel), mean, std);
    });

    // Random fills draw into a fresh contiguous buffer (so the draw order is the row-major order) and copy in.
    private Tensor FillRandom(Generator? generator, string op, Action<Generator, Tensor> fill)
    {
        RequireFloat(DType, op);
        CheckWritable();
        // 16-bit tensors draw in float32 and round on the copy in.
        var buffer = IsContiguous && Off == 0 && Storage.Length == Numel && DType.HasKernels() ? this : Empty((int[])Sh.Clone(), DType.HasKernels() ? DType : DType.Float32);
        fill(Gen(generator), buffer);
        if (!ReferenceEquals(buffer, this))
            CopyRaw(buffer);
        Storage.Version++;
        return this;
    }

    /// <summary>Draws 1 with probability given by each element of this tensor (values in [0, 1]), else 0.</summary>
    /// <exception cref="ArgumentException">A probability outside [0, 1] (or NaN).</exception>
    public Tensor Bernoulli(Generator? generator = null)
    {
        if (Numel > 0 && !(Detach().Ge(0.0).All() && Detach().Le(1.0).All()))
            throw new ArgumentException($"bernoulli: probabilities must be in [0, 1], got a tensor {ShapeUtil.Format(Sh)} with values outside.");
        var u = Rand(Sh, DType.IsFloatingPoint() ? DType : DType.Float32, generator);
        return u.Lt(Detach()).To(DType.IsFloatingPoint() ? DType : DType.Float32);
    }

    /// <summary>A tensor of <paramref name="shape"/> with 1 at probability p, else 0.</summary>
    public static Tensor Bernoulli(int[] shape, double p, DType dtype = DType.Float32, Generator? generator = null)
    {
        var t = Empty((int[])shape.Clone(), RequireFloat(dtype, "bernoulli"));
        if (dtype.IsLowPrecision())
            return Bernoulli(shape, p, DType.Float32, generator).To(dtype); // 0 and 1 are exact in 16 bits
        if (dtype == DType.Float32)
            Gen(generator).FillBernoulli(t.Data<float>(), p);
        else
        {
            var tmp = new float[t.Numel];
            Gen(generator).FillBernoulli(tmp, p);
            for (int i = 0; i < tmp.Length; i++) t.Data<double>()[i] = tmp[i];
        }
        return t;
    }

    /// <summary>Samples category indices from the weights in each row (1-D or 2-D, non-negative).</summary>
    public Tensor Multinomial(int numSamples, bool replacement = false, Generator? generator = null)
    {
        if (Rank is < 1 or > 2)
            throw new ArgumentException($"multinomial: expects a 1-D or 2-D tensor of weights, got {ShapeUtil.Format(Sh)}.");
        if (numSamples < 0)
            throw new ArgumentException($"multinomial: numSamples must be >= 0, got {numSamples}.");
        var rows = Rank == 1 ? Unsqueeze(0) : this;
        int r = rows.Sh[0], n = rows.Sh[1];
        var result = Empty([r, numSamples], DType.Int64);
        var probs = rows.ToDoubleArray();
        for (int i = 0; i < r; i++)
            Gen(generator).Multinomial(probs.AsSpan(i * n, n), numSamples, replacement, result.Data<long>().AsSpan(i * numSamples, numSamples));
        return Rank == 1 ? result.Squeeze(0) : result;
    }

    private static DType RequireFloat(DType dtype, string op) => dtype.IsFloatingPoint()
        ? dtype
        : throw new ArgumentException($"{op}: expects a floating dtype, got {dtype.Name()}.");
}
