namespace Polymath.Learn;

/// <summary>Input checks shared by every estimator; messages name the estimator, the row and the column.</summary>
internal static class Check
{
    public static void NoNaN(double[,] x, string who)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(x[i, j]))
                    throw new ArgumentException(
                        $"{who}: feature column {j} of row {i} is {(double.IsNaN(x[i, j]) ? "NaN (missing)" : x[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture))}; " +
                        "put a SimpleImputer in front of the model (Pipeline) or clean the data.", nameof(x));
    }

    public static void Supervised(double[,] x, double[] y, string who)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.GetLength(0) != y.Length)
            throw new ArgumentException($"{who}: x has {x.GetLength(0)} rows but y has {y.Length} values.", nameof(y));
        if (y.Length == 0)
            throw new ArgumentException($"{who}: no training rows.", nameof(x));
        if (x.GetLength(1) == 0)
            throw new ArgumentException($"{who}: x has no feature columns.", nameof(x));
        for (int i = 0; i < y.Length; i++)
            if (!double.IsFinite(y[i]))
                throw new ArgumentException($"{who}: the target of row {i} is missing ({y[i]}); drop or fill rows without a target.", nameof(y));
        NoNaN(x, who);
    }
}
