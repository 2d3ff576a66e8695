namespace Polymath.NN;

/// <summary>Formats shapes for error messages, as the tensor ops do: <c>[2,3,4]</c>.</summary>
internal static class ShapeText
{
    public static string Format(int[] shape) => "[" + string.Join(",", shape) + "]";

    public static string Of(Tensor t) => Format(t.Shape);
}
