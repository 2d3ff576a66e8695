using System.Globalization;

namespace Polymath.NN;

/// <summary>Small helpers shared by the layers: shape formatting for error messages and PyTorch-style reprs.</summary>
internal static class LayerUtil
{
    /// <summary>[2,3,4] as written in error messages.</summary>
    public static string Shape(Tensor t) => "[" + string.Join(",", t.Shape) + "]";

    /// <summary>A double as Python prints it in a repr (invariant culture).</summary>
    public static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Python's True/False.</summary>
    public static string Bool(bool v) => v ? "True" : "False";

    /// <summary>A pair as Python prints a tuple, e.g. (3, 3).</summary>
    public static string Pair((int H, int W) p) => $"({p.H}, {p.W})";

    /// <summary>PyTorch's default conv/linear bias initialisation: U(±1/√fan_in) with fan_in taken from the weight.</summary>
    public static Tensor InitBias(Tensor bias, Tensor weight, Generator? generator)
    {
        var (fanIn, _) = Init.CalculateFanInAndFanOut(weight);
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        return Init.Uniform(bias, -bound, bound, generator);
    }
}
