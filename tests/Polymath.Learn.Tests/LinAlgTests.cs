using Xunit;

namespace Polymath.Learn.Tests;

public class LinAlgTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 3)]
    [InlineData(64, 4)]
    public void SymmetricEigenDecomposesRandomMatrices(int n, int seed)
    {
        // A = Bᵀ B + a repeated eigenvalue block: A V = V Λ, Vᵀ V = I, eigenvalues descending (seed printed on failure).
        var rng = new System.Random(seed);
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                b[i, j] = rng.NextDouble() - 0.5;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++)
                    a[i, j] += b[k, i] * b[k, j];
        var (values, vectors) = LinAlg.SymmetricEigen(a);
        const double Tol = 1e-10; // float64 rounding over O(n) operations on entries of size O(n)
        for (int c = 0; c < n; c++)
        {
            if (c > 0)
                Assert.True(values[c] <= values[c - 1], $"seed {seed}: eigenvalues not descending");
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int k = 0; k < n; k++)
                    av += a[i, k] * vectors[k, c];
                Assert.True(Math.Abs(av - values[c] * vectors[i, c]) < Tol * n, $"seed {seed}: (A v - λ v)[{i}] for eigenpair {c}");
            }
            for (int c2 = 0; c2 < n; c2++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++)
                    dot += vectors[k, c] * vectors[k, c2];
                Assert.True(Math.Abs(dot - (c == c2 ? 1 : 0)) < Tol * n, $"seed {seed}: V not orthonormal at ({c}, {c2})");
            }
        }
    }

    [Fact]
    public void EigenOfADiagonalMatrixWithRepeatsIsExact()
    {
        var a = new double[,] { { 2, 0, 0 }, { 0, 5, 0 }, { 0, 0, 2 } };
        var (values, _) = LinAlg.SymmetricEigen(a);
        Assert.Equal([5.0, 2.0, 2.0], values);
    }

    [Fact]
    public void LeastSquaresSolvesAnOverdeterminedSystemLikeTheNormalEquations()
    {
        var a = new double[,] { { 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 } };
        double[] y = [1, 3, 5, 7.5];
        var (w, _) = LinAlg.LeastSquares(a, y, "test");
        // Closed form for a straight line: slope = cov(x, y) / var(x), intercept = ȳ − slope x̄.
        double slope = (0 * (1 - 4.125) + 1 * (3 - 4.125) + 2 * (5 - 4.125) + 3 * (7.5 - 4.125) - 1.5 * 0) / 5.0;
        Assert.Equal(slope, w[1], 12);
        Assert.Equal(4.125 - slope * 1.5, w[0], 12);
    }
}
