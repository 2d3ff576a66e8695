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
                Simd.Dot4(MathUtil.Row(x, j), MathUtil.Row(x, j + 1), MathUtil.Row(x, j + 2), MathUtil.Row(x, j + 3), xi,
                    out row[j], out row[j + 1], out row[j + 2], out row[j + 3]);
            }
            for (; j < end; j++)
                row[j] = MathUtil.Dot(xi, MathUtil.Row(x, j));
            kernel.FromDots(row.AsSpan(start, end - start), norms.AsSpan(start, end - start), norms[i]);
        });
    }
}
