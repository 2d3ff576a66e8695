using System.Numerics;

namespace Polymath.Quantum;

/// <summary>Eigenvalues in ascending order and, when computed, the orthonormal eigenvectors as the columns of <see cref="Vectors"/>.</summary>
/// <param name="Values">Eigenvalues, ascending.</param>
/// <param name="Vectors">Column j is the eigenvector of <see cref="Values"/>[j]; null when only values were asked for.</param>
public sealed record EigenDecomposition(double[] Values, Complex[,]? Vectors)
{
    /// <summary>Eigenvector <paramref name="j"/> as an array.</summary>
    /// <exception cref="InvalidOperationException">Vectors were not computed.</exception>
    public Complex[] Vector(int j)
    {
        if (Vectors is null) throw new InvalidOperationException("eigenvectors were not computed (pass computeVectors: true)");
        var v = new Complex[Vectors.GetLength(0)];
        for (int i = 0; i < v.Length; i++) v[i] = Vectors[i, j];
        return v;
    }
}
