using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Linear regression by stochastic gradient descent on the squared loss with an L2 penalty α/2·||w||², one sample
/// at a time in a seeded shuffled order, step size η_t = Eta0 / t^PowerT (sklearn's "invscaling"). Stops after an
/// epoch whose loss did not improve on the best by Tol for <see cref="NIterNoChange"/> epochs in a row.
/// </summary>
public sealed class SGDRegressor : Regressor, IFeatureWeights
{
    /// <summary>L2 penalty α (default 1e-4).</summary>
    public double Alpha { get; set; } = 1e-4;

    /// <summary>Initial step size (default 0.01).</summary>
    public double Eta0 { get; set; } = 0.01;

    /// <summary>Exponent of the inverse-scaling schedule (default 0.25).</summary>
    public double PowerT { get; set; } = 0.25;

    /// <summary>Epochs at most (default 1000).</summary>
    public int MaxIter { get; set; } = 1000;

    /// <summary>Improvement needed to keep going (default 1e-3).</summary>
    public double Tol { get; set; } = 1e-3;

    /// <summary>Epochs without improvement before stopping (default 5).</summary>
    public int NIterNoChange { get; set; } = 5;

    /// <summary>Seed of the shuffles (default 0).</summary>
    public int RandomState { get; set; }

    /// <summary>Coefficients.</summary>
    [JsonInclude] public double[] Coef { get; private set; } = [];

    /// <summary>Intercept.</summary>
    [JsonInclude] public double Intercept { get; private set; }

    /// <summary>Epochs run.</summary>
    [JsonInclude] public int Iterations { get; private set; }

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[] y)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var w = new double[d];
        double b = 0;
        var rng = new Random(RandomState);
        var order = Enumerable.Range(0, n).ToArray();
        double best = double.PositiveInfinity;
        int noChange = 0;
        long t = 1;
        int epoch;
        for (epoch = 1; epoch <= MaxIter; epoch++)
        {
            rng.Shuffle(order);
            double sumLoss = 0;
            foreach (int i in order)
            {
                var xi = MathUtil.Row(x, i);
                double eta = Eta0 / Math.Pow(t, PowerT);
                double err = MathUtil.Dot(xi, w) + b - y[i];
                sumLoss += 0.5 * err * err;
                double shrink = 1 - eta * Alpha;
                for (int j = 0; j < d; j++)
                    w[j] = w[j] * shrink - eta * err * xi[j];
                b -= eta * err;
                t++;
            }
            if (sumLoss > best - Tol * n)
                noChange++;
            else
                noChange = 0;
            best = Math.Min(best, sumLoss);
            if (noChange >= NIterNoChange)
                break;
        }
        Iterations = Math.Min(epoch, MaxIter);
        Coef = w;
        Intercept = b;
    }

    /// <inheritdoc />
    protected override double[] PredictCore(double[,] x) => LinearModel.Predict(x, Coef, Intercept);

    /// <inheritdoc />
    public double[] FeatureWeights() => Coef.Select(Math.Abs).ToArray();
}
