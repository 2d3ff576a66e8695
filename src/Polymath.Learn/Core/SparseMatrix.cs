namespace Polymath.Learn;

/// <summary>
/// A compressed sparse row (CSR) matrix of float64: row i's non-zeros are <c>Values[RowPointers[i]..RowPointers[i+1]]</c>
/// at columns <c>ColumnIndices[...]</c>, as scipy.sparse.csr_matrix. Used by <see cref="LinearSVC"/> for large sparse data.
/// </summary>
public sealed class SparseMatrix
{
    /// <summary>Builds a matrix from CSR arrays (not copied).</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent.</exception>
    public SparseMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values)
    {
        if (rowPointers.Length != rows + 1 || rowPointers[0] != 0 || rowPointers[rows] != values.Length || columnIndices.Length != values.Length)
            throw new ArgumentException($"SparseMatrix: inconsistent CSR arrays (rows {rows}, pointers {rowPointers.Length}, indices {columnIndices.Length}, values {values.Length}).");
        foreach (int c in columnIndices)
            if ((uint)c >= (uint)columns)
                throw new ArgumentException($"SparseMatrix: column index {c} outside 0..{columns - 1}.");
        Rows = rows;
        Columns = columns;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Start of each row in <see cref="Values"/>, length Rows + 1.</summary>
    public int[] RowPointers { get; }

    /// <summary>Column of each stored value.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>The stored non-zero values.</summary>
    public double[] Values { get; }

    /// <summary>The non-zeros of a dense matrix.</summary>
    public static SparseMatrix FromDense(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var ptr = new int[n + 1];
        var idx = new List<int>();
        var val = new List<double>();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
                if (x[i, j] != 0)
                {
                    idx.Add(j);
                    val.Add(x[i, j]);
                }
            ptr[i + 1] = val.Count;
        }
        return new SparseMatrix(n, d, ptr, idx.ToArray(), val.ToArray());
    }

    /// <summary>Row i · w (w has length Columns).</summary>
    public double RowDot(int i, ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            s += Values[k] * w[ColumnIndices[k]];
        return s;
    }

    /// <summary>w += a · row i.</summary>
    public void AddRow(int i, double a, Span<double> w)
    {
        for (int k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            w[ColumnIndices[k]] += a * Values[k];
    }

    /// <summary>||row i||².</summary>
    public double RowSquaredNorm(int i)
    {
        double s = 0;
        for (int k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            s += Values[k] * Values[k];
        return s;
    }
}
