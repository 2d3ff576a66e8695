using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Polymath.Scale.Compression;

/// <summary>
/// Affine uint8 quantization of activations: q = clamp(round(x / Scale) + ZeroPoint, 0, 255), x ≈ Scale·(q − ZeroPoint).
/// The range always contains 0, so 0 (ReLU outputs, zero padding) is represented exactly.
/// </summary>
/// <param name="Scale">Step between two quantized values (positive).</param>
/// <param name="ZeroPoint">The quantized value that stands for 0, in [0, 255].</param>
public readonly record struct QuantParams(float Scale, int ZeroPoint)
{
    /// <summary>Smallest quantized value.</summary>
    public const int QMin = 0;

    /// <summary>Largest quantized value.</summary>
    public const int QMax = 255;

    /// <summary>Parameters covering [min, max] (widened to include 0); a zero-width range gets scale 1.</summary>
    /// <exception cref="ArgumentException">A bound is NaN or infinite.</exception>
    public static QuantParams FromRange(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"QuantParams: the observed range [{min}, {max}] is not finite (NaN or infinity in the activations).");
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        double scale = (max - min) / (QMax - QMin);
        if (scale <= 0 || !double.IsNormal(scale))
            return new QuantParams(1f, 0);
        int zp = (int)Math.Clamp(Math.Round(QMin - min / scale, MidpointRounding.ToEven), QMin, QMax);
        return new QuantParams((float)scale, zp);
    }

    /// <summary>The quantized value of <paramref name="x"/>.</summary>
    public byte Quantize(float x) => (byte)Math.Clamp(MathF.Round(x / Scale) + ZeroPoint, QMin, QMax);

    /// <summary>The real value that <paramref name="q"/> stands for.</summary>
    public float Dequantize(byte q) => Scale * (q - ZeroPoint);
}

/// <summary>Quantize and dequantize helpers shared by the quantized layers, QAT and the tests.</summary>
public static class Quantize
{
    /// <summary>Largest magnitude of a symmetric int8 weight (−127…127; −128 is not used so the range is symmetric).</summary>
    public const int WeightQMax = 127;

    /// <summary>
    /// Per-output-channel symmetric int8 quantization of a weight [<paramref name="rows"/>, <paramref name="cols"/>]:
    /// scale[r] = max|W[r, :]| / 127, q = clamp(round(W / scale[r]), −127, 127). An all-zero row gets scale 1.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is NaN or infinite (the message gives its row and column).</exception>
    public static (sbyte[] Values, float[] Scales) WeightsPerChannel(ReadOnlySpan<float> weight, int rows, int cols)
    {
        var q = new sbyte[rows * cols];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = weight.Slice(r * cols, cols);
            float amax = 0;
            for (int c = 0; c < cols; c++)
            {
                if (!float.IsFinite(row[c]))
                    throw new ArgumentException($"Quantize: weight [{r}, {c}] is {row[c]}; only finite weights can be quantized.");
                amax = Math.Max(amax, Math.Abs(row[c]));
            }
            float s = amax > 0 ? amax / WeightQMax : 1f;
            scales[r] = s;
            for (int c = 0; c < cols; c++)
                q[r * cols + c] = (sbyte)Math.Clamp(MathF.Round(row[c] / s), -WeightQMax, WeightQMax);
        }
        return (q, scales);
    }

    /// <summary>
    /// Quantizes <paramref name="rows"/> rows of <paramref name="cols"/> floats into bytes with row stride
    /// <paramref name="ldq"/> (the bytes between cols and ldq are set to 0). Vectorised; rounds half to even as
    /// <see cref="QuantParams.Quantize"/> does, so both give the same bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Activations(ReadOnlySpan<float> x, int rows, int cols, QuantParams p, Span<byte> q, int ldq)
    {
        for (int r = 0; r < rows; r++)
        {
            Row(x.Slice(r * cols, cols), p, q.Slice(r * ldq, cols));
            q.Slice(r * ldq + cols, ldq - cols).Clear();
        }
    }

    /// <summary>Quantizes one contiguous run of values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(ReadOnlySpan<float> x, QuantParams p, Span<byte> q)
    {
        int i = 0;
        // 1/scale then multiply can differ from a division by one ulp, which flips a rounding tie; use division
        // in both paths so the vector and scalar results are the same bytes.
        if (Vector256.IsHardwareAccelerated && x.Length >= 32)
        {
            var vs = Vector256.Create(p.Scale);
            var zp = Vector256.Create((float)p.ZeroPoint);
            var lo = Vector256.Create((float)QuantParams.QMin);
            var hi = Vector256.Create((float)QuantParams.QMax);
            for (; i <= x.Length - 32; i += 32)
            {
                var v0 = Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(Vector256.Create(x.Slice(i))     / vs) + zp, lo, hi));
                var v1 = Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(Vector256.Create(x.Slice(i + 8)) / vs) + zp, lo, hi));
                var v2 = Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(Vector256.Create(x.Slice(i + 16)) / vs) + zp, lo, hi));
                var v3 = Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(Vector256.Create(x.Slice(i + 24)) / vs) + zp, lo, hi));
                var s01 = Vector256.Narrow(v0, v1).AsUInt16();
                var s23 = Vector256.Narrow(v2, v3).AsUInt16();
                Vector256.Narrow(s01, s23).CopyTo(q.Slice(i));
            }
        }
        for (; i < x.Length; i++)
            q[i] = p.Quantize(x[i]);
    }

    /// <summary>Quantize then dequantize (what the int8 model sees), for error checks.</summary>
    public static float RoundTrip(float x, QuantParams p) => p.Dequantize(p.Quantize(x));
}
