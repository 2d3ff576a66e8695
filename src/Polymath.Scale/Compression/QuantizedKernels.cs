using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Polymath.Scale.Compression;

/// <summary>
/// The steps the int8 layers share: read a float input, quantize it (per tensor, uint8), run <see cref="Int8Gemm"/>,
/// and turn the int32 sums back into floats: y[n] = s_x·s_w[n]·(acc[n] − z_x·ΣW[n]) + b[n], optionally through ReLU.
/// </summary>
internal static class QuantizedKernels
{
    /// <summary>The float32 values of <paramref name="x"/> as (array, offset), contiguous.</summary>
    public static (float[] Data, int Offset) Floats(Tensor x, string layer)
    {
        if (x.DType != DType.Float32)
            throw new ArgumentException($"{layer}: expected a float32 input, got {x.DType.Name()}.");
        var c = x.Contiguous();
        return (c.Data<float>(), c.StorageOffset);
    }

    /// <summary>Per-tensor parameters from the batch's own range (dynamic quantization).</summary>
    public static QuantParams Dynamic(ReadOnlySpan<float> x) =>
        x.IsEmpty ? new QuantParams(1f, 0) : QuantParams.FromRange(TensorPrimitives.Min(x), TensorPrimitives.Max(x));

    /// <summary>Quantizes <paramref name="count"/> floats into bytes, in parallel chunks.</summary>
    public static void QuantizeFlat(float[] x, int offset, int count, QuantParams p, byte[] q)
    {
        Threads.For(count, 1 << 15, (s, e) => Quantize.Row(x.AsSpan(offset + (int)s, (int)(e - s)), p, q.AsSpan((int)s, (int)(e - s))));
    }

    /// <summary>
    /// Per-column scale and offset so that y = acc·scale[n] + offset[n]. The arrays are padded with zeros to a multiple
    /// of 8, so an epilogue may load 8 at a time.
    /// </summary>
    public static (float[] Scale, float[] Offset) Epilogue(QuantParams p, Int8PackedWeights w, float[] weightScale, float[]? bias)
    {
        var scale = new float[(w.N + 7) & ~7];
        var offset = new float[scale.Length];
        for (int n = 0; n < w.N; n++)
        {
            double s = (double)p.Scale * weightScale[n];
            scale[n] = (float)s;
            offset[n] = (float)((bias?[n] ?? 0) - s * p.ZeroPoint * w.RowSums[n]);
        }
        return (scale, offset);
    }

    /// <summary>y[r, n] = acc[r, n]·scale[n] + offset[n] (then ReLU) for rows [r0, r1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DequantizeRows(int[] acc, int r0, int r1, int n, float[] scale, float[] offset, bool relu, float[] y)
    {
        for (int r = r0; r < r1; r++)
        {
            int at = r * n, j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= n - 8; j += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.Create(acc.AsSpan(at + j))) * Vector256.Create(scale.AsSpan(j)) + Vector256.Create(offset.AsSpan(j));
                    if (relu) v = Vector256.Max(v, Vector256<float>.Zero);
                    v.CopyTo(y.AsSpan(at + j));
                }
            }
            for (; j < n; j++)
            {
                float v = acc[at + j] * scale[j] + offset[j];
                y[at + j] = relu ? Math.Max(v, 0f) : v;
            }
        }
    }

    /// <summary>A quantized Linear over <paramref name="rows"/> rows of K floats, written to <paramref name="y"/> [rows, N].</summary>
    public static void LinearRows(float[] x, int offset, int rows, QuantParams p, Int8PackedWeights w, float[] weightScale, float[]? bias, bool relu, float[] y)
    {
        int k = w.K, kp = w.PaddedK, n = w.N;
        var a = ArrayPool<byte>.Shared.Rent(Math.Max(1, rows * kp));
        var acc = ArrayPool<int>.Shared.Rent(Math.Max(1, rows * n));
        try
        {
            Threads.For(rows, Math.Max(1, (1 << 14) / kp), (r0, r1) =>
                Quantize.Activations(x.AsSpan(offset + (int)r0 * k, (int)(r1 - r0) * k), (int)(r1 - r0), k, p, a.AsSpan((int)r0 * kp, (int)(r1 - r0) * kp), kp));
            Int8Gemm.Multiply(a, rows, w, acc);
            var (scale, off) = Epilogue(p, w, weightScale, bias);
            Threads.For(rows, Math.Max(1, (1 << 14) / n), (r0, r1) => DequantizeRows(acc, (int)r0, (int)r1, n, scale, off, relu, y));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(a);
            ArrayPool<int>.Shared.Return(acc);
        }
    }
}
