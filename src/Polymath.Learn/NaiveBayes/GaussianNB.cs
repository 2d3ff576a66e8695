using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Gaussian naive Bayes: per class, independent normal features with the class mean and variance; every variance
/// gets VarSmoothing × (largest feature variance) added for stability, as sklearn.
/// </summary>
public sealed class GaussianNB : Classifier
{
    /// <summary>Fraction of the largest variance added to all variances (default 1e-9).</summary>
    public double VarSmoothing { get; set; } = 1e-9;

    /// <summary>Class means [classes, features] (sklearn's theta_).</summary>
    [JsonInclude] public double[,] Theta { get; private set; } = new double[0, 0];

    /// <summary>Class variances [classes, features] (sklearn's var_).</summary>
    [JsonInclude] public double[,] Var { get; private set; } = new double[0, 0];

    /// <summary>Class priors (frequencies).</summary>
    [JsonInclude] public double[] ClassPrior { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = Classes.Length;
        double epsilon = VarSmoothing * MathUtil.ColumnVariances(x, MathUtil.ColumnMeans(x)).Max();
        Theta = new double[k, d];
        Var = new double[k, d];
        var count = new double[k];
        for (int i = 0; i < n; i++)
        {
            count[y[i]]++;
            for (int j = 0; j < d; j++)
                Theta[y[i], j] += x[i, j];
        }
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                Theta[c, j] /= count[c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double t = x[i, j] - Theta[y[i], j];
                Var[y[i], j] += t * t;
            }
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                Var[c, j] = Var[c, j] / count[c] + epsilon;
        ClassPrior = count.Select(c => c / n).ToArray();
    }

    /// <summary>Joint log-likelihood log P(c) + log P(x | c), [samples, classes].</summary>
    public double[,] JointLogLikelihood(double[,] x)
    {
        CheckPredictInput(x);
        return Jll(x);
    }

    private double[,] Jll(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = Classes.Length;
        var r = new double[n, k];
        for (int c = 0; c < k; c++)
        {
            double constant = Math.Log(ClassPrior[c]);
            for (int j = 0; j < d; j++)
                constant -= 0.5 * Math.Log(2 * Math.PI * Var[c, j]);
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    double t = x[i, j] - Theta[c, j];
                    s += t * t / Var[c, j];
                }
                r[i, c] = constant - 0.5 * s;
            }
        }
        return r;
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        var j = Jll(x);
        MathUtil.SoftmaxRows(j);
        return j;
    }

    /// <inheritdoc />
    protected override int[] PredictIndices(double[,] x) => MathUtil.ArgMaxRows(Jll(x));
}

/// <summary>
/// Multinomial naive Bayes for counts (word counts, pixel intensities): P(x | c) ∝ Π θ_cj^x_j with θ smoothed by
/// additive (Laplace/Lidstone) Alpha. Features must be non-negative.
/// </summary>
public sealed class MultinomialNB : Classifier
{
    /// <summary>Additive smoothing (default 1).</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>log θ [classes, features].</summary>
    [JsonInclude] public double[,] FeatureLogProb { get; private set; } = new double[0, 0];

    /// <summary>log class priors.</summary>
    [JsonInclude] public double[] ClassLogPrior { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, int[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = Classes.Length;
        var counts = new double[k, d];
        var classCount = new double[k];
        for (int i = 0; i < n; i++)
        {
            classCount[y[i]]++;
            for (int j = 0; j < d; j++)
            {
                if (x[i, j] < 0)
                    throw new ArgumentException($"MultinomialNB: feature column {j} of row {i} is negative ({x[i, j]}); counts must be ≥ 0.", nameof(x));
                counts[y[i], j] += x[i, j];
            }
        }
        FeatureLogProb = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            double total = 0;
            for (int j = 0; j < d; j++)
                total += counts[c, j] + Alpha;
            for (int j = 0; j < d; j++)
                FeatureLogProb[c, j] = Math.Log(counts[c, j] + Alpha) - Math.Log(total);
        }
        ClassLogPrior = classCount.Select(c => Math.Log(c / n)).ToArray();
    }

    private double[,] Jll(double[,] x)
    {
        var z = MathUtil.Linear(x, FeatureLogProb, ClassLogPrior);
        return z;
    }

    /// <inheritdoc />
    protected override double[,] PredictProbaCore(double[,] x)
    {
        var j = Jll(x);
        MathUtil.SoftmaxRows(j);
        return j;
    }

    /// <inheritdoc />
    protected override int[] PredictIndices(double[,] x) => MathUtil.ArgMaxRows(Jll(x));
}
