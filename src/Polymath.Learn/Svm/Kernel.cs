using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace Polymath.Learn;

/// <summary>Kernel functions of <see cref="SVC"/>.</summary>
public enum KernelType
{
    /// <summary>K(x, z) = x·z.</summary>
    Linear,

    /// <summary>K(x, z) = (γ x·z + coef0)^degree.</summary>
    Poly,

    /// <summary>K(x, z) = exp(−γ ||x − z||²).</summary>
    Rbf,
}

/// <summary>A kernel with its parameters, evaluated between rows of two matrices.</summary>
internal readonly record struct Kernel(KernelType Type, double Gamma, double Coef0, int Degree)
{
    public double Compute(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double normA, double normB) => Type switch
    {
        KernelType.Linear => MathUtil.Dot(a, b),
        KernelType.Poly => Math.Pow(Gamma * MathUtil.Dot(a, b) + Coef0, Degree),
        _ => Math.Exp(-Gamma * Math.Max(normA + normB - 2 * MathUtil.Dot(a, b), 0)),
    };

    /// <summary>Turns a row of dot products x_i·x_j into kernel values, vectorised (norms: ||x_j||², normI: ||x_i||²).</summary>
    public void FromDots(Span<double> row, ReadOnlySpan<double> norms, double normI)
    {
        switch (Type)
        {
            case KernelType.Linear:
                return;
            case KernelType.Poly:
                TensorPrimitives.Multiply(row, Gamma, row);
                TensorPrimitives.Add(row, Coef0, row);
                for (int j = 0; j < row.Length; j++)
                {
                    double b = row[j], r = 1;
                    for (int e = 0; e < Degree; e++)
                        r *= b;
                    row[j] = r;
                }
                return;
            default:
                // exp(−γ(‖x_i‖² + ‖x_j‖² − 2 x_i·x_j)), clamped at 0 against rounding.
                TensorPrimitives.MultiplyAdd(row, -2.0, norms, row);
                TensorPrimitives.Add(row, normI, row);
                TensorPrimitives.Max(row, 0.0, row);
                TensorPrimitives.Multiply(row, -Gamma, row);
                TensorPrimitives.Exp(row, row);
                return;
        }
    }

    /// <summary>Four dot products of rows a0..a3 with b at once: b is loaded once per four multiply-adds.</summary>
    public static void Dot4(ReadOnlySpan<double> a0, ReadOnlySpan<double> a1, ReadOnlySpan<double> a2, ReadOnlySpan<double> a3, ReadOnlySpan<double> b,
        out double d0, out double d1, out double d2, out double d3)
    {
        int len = b.Length, k = 0;
        ref double r0 = ref MemoryMarshal.GetReference(a0);
        ref double r1 = ref MemoryMarshal.GetReference(a1);
        ref double r2 = ref MemoryMarshal.GetReference(a2);
        ref double r3 = ref MemoryMarshal.GetReference(a3);
        ref double rb = ref MemoryMarshal.GetReference(b);
        if (a0.Length < len || a1.Length < len || a2.Length < len || a3.Length < len)
            throw new ArgumentException("Dot4: rows shorter than b.");
        var s0 = Vector256<double>.Zero;
        var s1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var s3 = Vector256<double>.Zero;
        for (; k <= len - 4; k += 4)
        {
            var vb = Vector256.LoadUnsafe(ref rb, (nuint)k);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)k), vb, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)k), vb, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)k), vb, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)k), vb, s3);
        }
        d0 = Vector256.Sum(s0);
        d1 = Vector256.Sum(s1);
        d2 = Vector256.Sum(s2);
        d3 = Vector256.Sum(s3);
        for (; k < len; k++)
        {
            double vb = b[k];
            d0 += a0[k] * vb;
            d1 += a1[k] * vb;
            d2 += a2[k] * vb;
            d3 += a3[k] * vb;
        }
    }

    public static double[] SquaredNorms(double[,] x)
    {
        int n = x.GetLength(0);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = MathUtil.Row(x, i);
            r[i] = MathUtil.Dot(row, row);
        }
        return r;
    }
}

/// <summary>
/// Rows of the kernel matrix K(x_i, ·) over the training set, computed on demand (in parallel for long rows) and
/// kept in a least-recently-used cache bounded in megabytes, as libsvm's kernel cache.
/// </summary>
internal sealed class KernelCache
{
    private readonly double[,] _x;
    private readonly double[] _norms;
    private readonly Kernel _kernel;
    private readonly int _capacity;
    private readonly Dictionary<int, LinkedListNode<(int Index, double[] Row)>> _map = [];
    private readonly LinkedList<(int Index, double[] Row)> _lru = new();
    private readonly int _threads;

    public KernelCache(double[,] x, Kernel kernel, double cacheMb, int threads)
    {
        _x = x;
        _kernel = kernel;
        _norms = Kernel.SquaredNorms(x);
        int n = x.GetLength(0);
        _capacity = (int)Math.Clamp(cacheMb * 1024 * 1024 / (8.0 * Math.Max(n, 1)), 2, int.MaxValue);
        _threads = threads;
        Diagonal = new double[n];
        for (int i = 0; i < n; i++)
            Diagonal[i] = kernel.Compute(MathUtil.Row(x, i), MathUtil.Row(x, i), _norms[i], _norms[i]);
    }

    /// <summary>K(x_i, x_i).</summary>
    public double[] Diagonal { get; }

    /// <summary>Rows computed (cache misses), for tests and diagnostics.</summary>
    public long Misses { get; private set; }

    public double[] Row(int i)
    {
        if (_map.TryGetValue(i, out var node))
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
            return node.Value.Row;
        }
        Misses++;
        double[] row;
        if (_map.Count >= _capacity)
        {
            var last = _lru.Last!;
            _lru.RemoveLast();
            _map.Remove(last.Value.Index);
            row = last.Value.Row; // reuse the evicted buffer
        }
        else
        {
            row = new double[_x.GetLength(0)];
        }
        Fill(i, row);
        _map[i] = _lru.AddFirst((i, row));
        return row;
    }

    private void Fill(int i, double[] row)
    {
        int n = row.Length, d = _x.GetLength(1);
        var x = _x;
        var norms = _norms;
        var kernel = _kernel;
        int chunks = (long)n * d < 400_000 || _threads <= 1 ? 1 : _threads;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            var xi = MathUtil.Row(x, i);
            int start = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks);
            int j = start;
            for (; j + 4 <= end; j += 4)
            {
                Kernel.Dot4(MathUtil.Row(x, j), MathUtil.Row(x, j + 1), MathUtil.Row(x, j + 2), MathUtil.Row(x, j + 3), xi,
                    out row[j], out row[j + 1], out row[j + 2], out row[j + 3]);
            }
            for (; j < end; j++)
                row[j] = MathUtil.Dot(xi, MathUtil.Row(x, j));
            kernel.FromDots(row.AsSpan(start, end - start), norms.AsSpan(start, end - start), norms[i]);
        });
    }
}
