using System.Globalization;
using System.Text;

namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Empty((int[])shape.Clone(), DType.Float32, zeroed: true);

    /// <summary>A tensor of zeros of the given dtype.</summary>
    public static Tensor Zeros(int[] shape, DType dtype) => Empty((int[])shape.Clone(), dtype, zeroed: true);

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1.0);

    /// <summary>A tensor of ones of the given dtype.</summary>
    public static Tensor Ones(int[] shape, DType dtype) => Full(shape, 1.0, dtype);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        var t = Empty((int[])shape.Clone(), dtype);
        t.FillRaw(value);
        return t;
    }

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Empty(like.Shape, like.DType, zeroed: true);

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(like.Sh, 1.0, like.DType);

    /// <summary>Values 0, 1, ..., n-1 (int64 by default, as in PyTorch).</summary>
    public static Tensor Arange(long n, DType dtype = DType.Int64) => Arange(0, n, 1, dtype);

    /// <summary>Values start, start+step, ... below end.</summary>
    /// <exception cref="ArgumentException">step is zero or has the wrong sign.</exception>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64)
    {
        if (step == 0 || (end - start) * step < 0 && end != start)
            throw new ArgumentException($"arange: step {step} cannot go from {start} to {end}.");
        long n = Math.Max(0, (long)Math.Ceiling((end - start) / step));
        var t = Empty([checked((int)n)], dtype);
        for (int i = 0; i < n; i++)
            t.SetFlat(i, start + i * step);
        return t;
    }

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32)
    {
        if (steps < 0)
            throw new ArgumentOutOfRangeException(nameof(steps), "linspace: steps must be non-negative.");
        var t = Empty([steps], dtype);
        for (int i = 0; i < steps; i++)
            t.SetFlat(i, steps == 1 ? start : start + (end - start) * i / (steps - 1));
        return t;
    }

    /// <summary>The n×n identity matrix.</summary>
    public static Tensor Eye(int n, DType dtype = DType.Float32)
    {
        var t = Zeros([n, n], dtype);
        for (int i = 0; i < n; i++)
            t.SetFlat(i * n + i, 1);
        return t;
    }

    /// <summary>A float32 tensor copied from <paramref name="data"/> (row-major) with the given shape (1-D when omitted).</summary>
    public static Tensor From(float[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>A float64 tensor copied from <paramref name="data"/>.</summary>
    public static Tensor From(double[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>An int64 tensor copied from <paramref name="data"/>.</summary>
    public static Tensor From(long[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>A bool tensor copied from <paramref name="data"/>.</summary>
    public static Tensor From(bool[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>A bfloat16 tensor copied from <paramref name="data"/>.</summary>
    public static Tensor From(BFloat16[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>A float16 tensor copied from <paramref name="data"/>.</summary>
    public static Tensor From(Half[] data, params int[] shape) => FromArray(data, shape);

    /// <summary>A float32 tensor from a rectangular 2-D array.</summary>
    public static Tensor From(float[,] data)
    {
        var flat = new float[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, flat.Length * sizeof(float));
        return FromArray(flat, [data.GetLength(0), data.GetLength(1)]);
    }

    private static Tensor FromArray<T>(T[] data, int[] shape) where T : unmanaged
    {
        if (shape.Length == 0)
            shape = [data.Length];
        if (ShapeUtil.Numel(shape) != data.Length)
            throw new ArgumentException($"From: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({ShapeUtil.Numel(shape)} elements).");
        return new Tensor(new Storage<T>((T[])data.Clone()), (int[])shape.Clone(), ShapeUtil.ContiguousStrides(shape), 0);
    }

    /// <summary>Wraps an existing array without copying (the tensor and the array share memory).</summary>
    public static Tensor Wrap(float[] data, params int[] shape)
    {
        if (ShapeUtil.Numel(shape) != data.Length)
            throw new ArgumentException($"Wrap: {data.Length} values do not fill shape {ShapeUtil.Format(shape)}.");
        return new Tensor(new Storage<float>(data), (int[])shape.Clone(), ShapeUtil.ContiguousStrides(shape), 0);
    }

    /// <summary>The elements in row-major order, as a new array of T (which must match the dtype).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var c = Contiguous();
        var data = c.Data<T>();
        return data.AsSpan(c.Off, (int)c.Numel).ToArray();
    }

    /// <summary>The elements of a float32 tensor in row-major order.</summary>
    public float[] ToArray() => ToArray<float>();

    /// <summary>The elements converted to double, in row-major order (any dtype).</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Numel];
        for (int i = 0; i < result.Length; i++)
            result[i] = GetFlat(i);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item: only one-element tensors can be converted to a scalar, this one has shape {ShapeUtil.Format(Sh)}.");
        return GetFlat(0);
    }

    /// <summary>The value of a one-element tensor as T.</summary>
    public T Item<T>() where T : unmanaged
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item: only one-element tensors can be converted to a scalar, this one has shape {ShapeUtil.Format(Sh)}.");
        return Data<T>()[Off];
    }

    /// <summary>Storage position of the element at row-major position <paramref name="flat"/>.</summary>
    internal int FlatToOffset(long flat)
    {
        int off = Off;
        for (int d = Sh.Length - 1; d >= 0; d--)
        {
            long q = flat / Sh[d];
            off += (int)(flat - q * Sh[d]) * St[d];
            flat = q;
        }
        return off;
    }

    /// <summary>The element at row-major position <paramref name="flat"/>, as double.</summary>
    internal double GetFlat(long flat)
    {
        int o = FlatToOffset(flat);
        return Storage switch
        {
            Storage<float> s => s.Data[o],
            Storage<double> s => s.Data[o],
            Storage<long> s => s.Data[o],
            Storage<bool> s => s.Data[o] ? 1 : 0,
            Storage<BFloat16> s => (float)s.Data[o],
            Storage<Half> s => (double)s.Data[o],
            _ => throw new InvalidOperationException(),
        };
    }

    internal void SetFlat(long flat, double value)
    {
        int o = FlatToOffset(flat);
        switch (Storage)
        {
            case Storage<float> s: s.Data[o] = (float)value; break;
            case Storage<double> s: s.Data[o] = value; break;
            case Storage<long> s: s.Data[o] = (long)value; break;
            case Storage<bool> s: s.Data[o] = value != 0; break;
            case Storage<BFloat16> s: s.Data[o] = (BFloat16)value; break;
            case Storage<Half> s: s.Data[o] = (Half)value; break;
        }
    }

    /// <summary>Sets every element to value, ignoring autograd (used by creation and Fill).</summary>
    internal void FillRaw(double value)
    {
        if (IsContiguous)
        {
            int n = (int)Numel;
            switch (Storage)
            {
                case Storage<float> s: s.Data.AsSpan(Off, n).Fill((float)value); break;
                case Storage<double> s: s.Data.AsSpan(Off, n).Fill(value); break;
                case Storage<long> s: s.Data.AsSpan(Off, n).Fill((long)value); break;
                case Storage<bool> s: s.Data.AsSpan(Off, n).Fill(value != 0); break;
                case Storage<BFloat16> s: s.Data.AsSpan(Off, n).Fill((BFloat16)value); break;
                case Storage<Half> s: s.Data.AsSpan(Off, n).Fill((Half)value); break;
            }
            return;
        }
        long count = Numel;
        for (long i = 0; i < count; i++)
            SetFlat(i, value);
    }

    /// <summary>A PyTorch-style printout, e.g. <c>tensor([[1.0000, 2.0000]], requires_grad=True)</c>; large tensors are summarised.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        long n = Numel;
        if (n > 1000)
            sb.Append("<").Append(ShapeUtil.Format(Sh)).Append(" ").Append(DType.Name()).Append(">");
        else
        {
            long pos = 0;
            AppendDim(sb, 0, ref pos);
        }
        if (DType != DType.Float32)
            sb.Append(", dtype=").Append(DType.Name());
        if (GradFnNode is not null)
            sb.Append(", grad_fn=<").Append(GradFnNode.Name).Append('>');
        else if (RequiresGrad)
            sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private void AppendDim(StringBuilder sb, int dim, ref long pos)
    {
        if (dim == Sh.Length)
        {
            double v = GetFlat(pos++);
            sb.Append(DType switch
            {
                DType.Bool => v != 0 ? "True" : "False",
                DType.Int64 => ((long)v).ToString(CultureInfo.InvariantCulture),
                _ => v.ToString("0.0000", CultureInfo.InvariantCulture),
            });
            return;
        }
        sb.Append('[');
        for (int i = 0; i < Sh[dim]; i++)
        {
            if (i > 0)
                sb.Append(dim == Sh.Length - 1 ? ", " : ",\n" + new string(' ', dim + 8));
            AppendDim(sb, dim + 1, ref pos);
        }
        sb.Append(']');
    }
}
