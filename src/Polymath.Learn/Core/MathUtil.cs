using System.Runtime.InteropServices;

namespace Polymath.Learn;

/// <summary>Small numeric helpers on row-major double[,] matrices.</summary>
internal static class MathUtil
{
    /// <summary>The whole matrix as one row-major span.</summary>
    public static Span<double> Flat(double[,] a) =>
        a.Length == 0 ? Span<double>.Empty : MemoryMarshal.CreateSpan(ref a[0, 0], a.Length);

    /// <summary>Row i as a span.</summary>
    public static Span<double> Row(double[,] a, int i)
    {
        int d = a.GetLength(1);
        return d == 0 ? Span<double>.Empty : MemoryMarshal.CreateSpan(ref a[i, 0], d);
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    public static int[] ArgMaxRows(double[,] p)
    {
        int n = p.GetLength(0), k = p.GetLength(1);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++)
                if (p[i, j] > p[i, best])
                    best = j;
            r[i] = best;
        }
        return r;
    }

    /// <summary>Rows of x picked by index.</summary>
    public static double[,] TakeRows(double[,] x, IReadOnlyList<int> rows)
    {
        int d = x.GetLength(1);
        var r = new double[rows.Count, d];
        for (int i = 0; i < rows.Count; i++)
            Row(x, rows[i]).CopyTo(Row(r, i));
        return r;
    }

    /// <summary>Columns of x picked by index.</summary>
    public static double[,] TakeColumns(double[,] x, IReadOnlyList<int> cols)
    {
        int n = x.GetLength(0);
        var r = new double[n, cols.Count];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < cols.Count; j++)
                r[i, j] = x[i, cols[j]];
        return r;
    }

    public static T[] Take<T>(T[] y, IReadOnlyList<int> rows)
    {
        var r = new T[rows.Count];
        for (int i = 0; i < rows.Count; i++)
            r[i] = y[rows[i]];
        return r;
    }

    public static double[] ColumnMeans(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var m = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                m[j] += x[i, j];
        for (int j = 0; j < d; j++)
            m[j] /= n;
        return m;
    }

    /// <summary>Population variance (divides by n) of each column.</summary>
    public static double[] ColumnVariances(double[,] x, double[] means)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var v = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double t = x[i, j] - means[j];
                v[j] += t * t;
            }
        for (int j = 0; j < d; j++)
            v[j] /= n;
        return v;
    }

    /// <summary>In-place softmax of each row, stable against overflow.</summary>
    public static void SoftmaxRows(double[,] z)
    {
        int n = z.GetLength(0);
        for (int i = 0; i < n; i++)
        {
            var r = Row(z, i);
            double max = double.NegativeInfinity;
            foreach (double v in r)
                max = Math.Max(max, v);
            double s = 0;
            for (int j = 0; j < r.Length; j++)
            {
                r[j] = Math.Exp(r[j] - max);
                s += r[j];
            }
            for (int j = 0; j < r.Length; j++)
                r[j] /= s;
        }
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>x · wᵀ + b for w [outputs, features]: [samples, outputs].</summary>
    public static double[,] Linear(double[,] x, double[,] w, double[] b)
    {
        int n = x.GetLength(0), k = w.GetLength(0);
        var r = new double[n, k];
        Parallel.For(0, n, ParallelOptionsFor(n * k * x.GetLength(1)), i =>
        {
            var xi = Row(x, i);
            for (int c = 0; c < k; c++)
                r[i, c] = Dot(xi, Row(w, c)) + b[c];
        });
        return r;
    }

    /// <summary>Parallel options: one thread for small work, all cores otherwise.</summary>
    public static ParallelOptions ParallelOptionsFor(long work, int threads = -1) => new()
    {
        MaxDegreeOfParallelism = work < 200_000 ? 1 : threads > 0 ? threads : Environment.ProcessorCount,
    };

    /// <summary>Degree of parallelism for a user "threads" setting (-1 or 0: all cores).</summary>
    public static int Threads(int requested) => requested > 0 ? requested : Environment.ProcessorCount;
}
