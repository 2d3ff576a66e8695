using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Base of the classifiers: <see cref="Fit"/> validates the input (no NaN, labels present, at least two classes),
/// encodes labels as indices 0..K-1 into <see cref="Classes"/> and calls <see cref="FitCore"/>.
/// </summary>
public abstract class Classifier : Estimator, IClassifier
{
    /// <inheritdoc />
    [JsonInclude]
    public double[] Classes { get; private set; } = [];

    /// <summary>Fits the classifier.</summary>
    /// <exception cref="ArgumentException">Shapes differ, NaN in x, a missing (NaN) label, or a single class.</exception>
    public void Fit(double[,] x, double[] y)
    {
        Check.Supervised(x, y, GetType().Name);
        var classes = y.Distinct().Order().ToArray();
        if (classes.Length < 2)
            throw new ArgumentException($"{GetType().Name}: the target is constant (every label is {classes[0]}); a classifier needs at least two classes.", nameof(y));
        var index = new Dictionary<double, int>();
        for (int i = 0; i < classes.Length; i++)
            index[classes[i]] = i;
        var encoded = new int[y.Length];
        for (int i = 0; i < y.Length; i++)
            encoded[i] = index[y[i]];
        Classes = classes;
        FeatureCount = -1; // a fit that throws leaves the model unfitted, not half-fitted
        FitCore(x, encoded);
        FeatureCount = x.GetLength(1);
    }

    /// <summary>Fits on validated data; <paramref name="y"/> holds class indices into <see cref="Classes"/>.</summary>
    protected abstract void FitCore(double[,] x, int[] y);

    /// <inheritdoc />
    public double[] Predict(double[,] x)
    {
        CheckPredictInput(x);
        var index = PredictIndices(x);
        var labels = new double[index.Length];
        for (int i = 0; i < index.Length; i++)
            labels[i] = Classes[index[i]];
        return labels;
    }

    /// <summary>Predicted class indices; the default takes the most probable class of <see cref="PredictProbaCore"/>.</summary>
    protected virtual int[] PredictIndices(double[,] x) => MathUtil.ArgMaxRows(PredictProbaCore(x));

    /// <inheritdoc />
    public double[,] PredictProba(double[,] x)
    {
        CheckPredictInput(x);
        return PredictProbaCore(x);
    }

    /// <summary>Probabilities [samples, classes] for validated input.</summary>
    protected abstract double[,] PredictProbaCore(double[,] x);

    /// <summary>Accuracy on (x, y).</summary>
    public double Score(double[,] x, double[] y) => Metrics.Accuracy(y, Predict(x));
}

/// <summary>Base of the regressors: <see cref="Fit"/> validates (no NaN, target not constant) and calls <see cref="FitCore"/>.</summary>
public abstract class Regressor : Estimator, IRegressor
{
    /// <summary>Fits the regressor.</summary>
    /// <exception cref="ArgumentException">Shapes differ, NaN in x, a missing (NaN) target, or a constant target.</exception>
    public void Fit(double[,] x, double[] y)
    {
        Check.Supervised(x, y, GetType().Name);
        if (y.All(v => v == y[0]))
            throw new ArgumentException($"{GetType().Name}: the target is constant (every value is {y[0]}); there is nothing to learn.", nameof(y));
        FeatureCount = -1;
        FitCore(x, y);
        FeatureCount = x.GetLength(1);
    }

    /// <summary>Fits on validated data.</summary>
    protected abstract void FitCore(double[,] x, double[] y);

    /// <inheritdoc />
    public double[] Predict(double[,] x)
    {
        CheckPredictInput(x);
        return PredictCore(x);
    }

    /// <summary>Predictions for validated input.</summary>
    protected abstract double[] PredictCore(double[,] x);

    /// <summary>R² on (x, y).</summary>
    public double Score(double[,] x, double[] y) => Metrics.R2(y, Predict(x));
}

/// <summary>Base of the preprocessors: validates, records the column count, calls <see cref="FitCore"/>.</summary>
public abstract class Transformer : Estimator, ITransformer
{
    /// <inheritdoc />
    [JsonIgnore]
    public virtual bool AcceptsNaN => false;

    /// <inheritdoc />
    public void Fit(double[,] x, double[]? y = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.GetLength(0) == 0)
            throw new ArgumentException($"{GetType().Name}: x has no rows.", nameof(x));
        if (!AcceptsNaN)
            Check.NoNaN(x, GetType().Name);
        if (y is not null && y.Length != x.GetLength(0))
            throw new ArgumentException($"{GetType().Name}: x has {x.GetLength(0)} rows but y has {y.Length}.", nameof(y));
        FeatureCount = -1;
        FitCore(x, y);
        FeatureCount = x.GetLength(1);
    }

    /// <summary>Learns from validated input.</summary>
    protected abstract void FitCore(double[,] x, double[]? y);

    /// <inheritdoc />
    public double[,] Transform(double[,] x)
    {
        CheckPredictInput(x, AcceptsNaN);
        return TransformCore(x);
    }

    /// <summary>Maps validated input.</summary>
    protected abstract double[,] TransformCore(double[,] x);

    /// <summary>Fit then Transform on the same data.</summary>
    public double[,] FitTransform(double[,] x, double[]? y = null)
    {
        Fit(x, y);
        return Transform(x);
    }
}
