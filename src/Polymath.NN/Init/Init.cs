namespace Polymath.NN;

/// <summary>
/// Weight initialisers, as PyTorch's torch.nn.init: each fills a tensor in place (the <c>..._</c> functions) under
/// <see cref="Tensor.NoGrad"/>, so parameters can be re-initialised after they are registered, and returns it.
/// Random draws come from <c>generator</c>, or the default generator (<see cref="Polymath.Random.Seed"/>) when null.
/// Fan-in and fan-out follow PyTorch: for a weight [out, in, k…], fan_in = in·∏k and fan_out = out·∏k (so for a
/// grouped convolution weight [out, in/groups, kH, kW], fan_in = in/groups·kH·kW).
/// </summary>
public static class Init
{
    /// <summary>
    /// The recommended gain for a nonlinearity (PyTorch's calculate_gain): 1 for linear, conv*, sigmoid; 5/3 for
    /// tanh; √2 for relu; √(2/(1+slope²)) for leaky_relu (slope <paramref name="param"/>, default 0.01); 3/4 for selu.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown nonlinearity, or a non-numeric slope for leaky_relu.</exception>
    public static double CalculateGain(string nonlinearity, double? param = null)
    {
        switch (nonlinearity)
        {
            case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid":
                return 1;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.Sqrt(2.0);
            case "leaky_relu":
                double slope = param ?? 0.01;
                if (!double.IsFinite(slope))
                    throw new ArgumentException($"calculate_gain: negative slope {slope} is not a valid number.");
                return Math.Sqrt(2.0 / (1 + slope * slope));
            case "selu":
                return 3.0 / 4;
            default:
                throw new ArgumentException($"calculate_gain: unsupported nonlinearity '{nonlinearity}' (expected linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid, tanh, relu, leaky_relu or selu).");
        }
    }

    /// <summary>fan_in = size(1)·receptive field and fan_out = size(0)·receptive field, where the receptive field is the product of dims 2 and up.</summary>
    /// <exception cref="ArgumentException">The tensor has fewer than 2 dims.</exception>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException($"init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got [{string.Join(",", tensor.Shape)}].");
        int receptive = 1;
        for (int d = 2; d < tensor.Rank; d++)
            receptive *= tensor.Size(d);
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }

    /// <summary>Fills with U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
    {
        using (Tensor.NoGrad())
            return tensor.UniformInPlace(low, high, generator);
    }

    /// <summary>Fills with N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        using (Tensor.NoGrad())
            return tensor.NormalInPlace(mean, std, generator);
    }

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        using (Tensor.NoGrad())
            return tensor.FillInPlace(value);
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Fills with ones.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>
    /// He uniform: U(−b, b) with b = gain·√(3/fan), gain = <see cref="CalculateGain"/>(<paramref name="nonlinearity"/>, <paramref name="a"/>),
    /// fan = fan_in or fan_out by <paramref name="mode"/> ("fan_in" keeps the forward variance, "fan_out" the backward one).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims, or an unknown mode or nonlinearity.</exception>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (tensor.Numel == 0 && tensor.Rank >= 2)
            return tensor; // PyTorch warns and leaves a zero-element tensor alone
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode, "kaiming_uniform_"));
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He normal: N(0, std²) with std = gain/√fan (see <see cref="KaimingUniform"/>).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims, or an unknown mode or nonlinearity.</exception>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        if (tensor.Numel == 0 && tensor.Rank >= 2)
            return tensor;
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode, "kaiming_normal_"));
        return Normal(tensor, 0, std, generator);
    }

    /// <summary>Glorot uniform: U(−b, b) with b = gain·√(6/(fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix scaled by <paramref name="gain"/>, as PyTorch's orthogonal_: the tensor is viewed as
    /// [rows, cols] with rows = size(0); a Gaussian matrix is orthonormalised (the Q of its QR factorisation with a
    /// positive-diagonal R, computed by Gram–Schmidt in float64), so W Wᵀ = gain²·I when rows ≤ cols and Wᵀ W = gain²·I otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    public static Tensor Orthogonal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException($"orthogonal_: only tensors with 2 or more dimensions are supported, got [{string.Join(",", tensor.Shape)}].");
        if (tensor.Numel == 0)
            return tensor;
        int rows = tensor.Size(0);
        int cols = (int)(tensor.Numel / rows);
        var gaussian = Tensor.Randn([rows, cols], DType.Float64, generator);
        bool transpose = rows < cols;
        // Work on the tall orientation [m, n] with m ≥ n: its n columns get orthonormalised.
        var a = (transpose ? gaussian.T : gaussian).Contiguous().ToArray<double>();
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        OrthonormaliseColumns(a, m, n);
        var q = Tensor.From(a, m, n);
        if (transpose)
            q = q.T;
        using (Tensor.NoGrad())
            return tensor.CopyFrom(q.Mul(gain).Reshape(tensor.Shape));
    }

    // Modified Gram–Schmidt, run twice ("twice is enough") so the columns stay orthogonal to rounding even when the
    // Gaussian matrix is ill-conditioned. The projections are subtracted, never sign-flipped, so R's diagonal is
    // positive and Q matches PyTorch's q·sign(diag(r)).
    private static void OrthonormaliseColumns(double[] a, int m, int n)
    {
        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += a[i * n + k] * a[i * n + j];
                    for (int i = 0; i < m; i++) a[i * n + j] -= dot * a[i * n + k];
                }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += a[i * n + j] * a[i * n + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++) a[i * n + j] /= norm;
        }
    }

    private static int Fan(Tensor tensor, string mode, string op)
    {
        var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
        return mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"{op}: mode '{mode}' is not supported, use 'fan_in' or 'fan_out'."),
        };
    }
}
