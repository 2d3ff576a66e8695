namespace Polymath.Learn;

/// <summary>A model fitted on features and a target, then predicting the target (sklearn's estimator API).</summary>
public interface ISupervised
{
    /// <summary>Fits on x [samples, features] and y [samples].</summary>
    void Fit(double[,] x, double[] y);

    /// <summary>Predicted target for each row of x.</summary>
    double[] Predict(double[,] x);

    /// <summary>Default score: accuracy for classifiers, R² for regressors.</summary>
    double Score(double[,] x, double[] y);
}

/// <summary>A classifier: predicts one of <see cref="Classes"/> and, where supported, class probabilities.</summary>
public interface IClassifier : ISupervised
{
    /// <summary>The sorted distinct labels seen by Fit; the columns of <see cref="PredictProba"/> follow this order.</summary>
    double[] Classes { get; }

    /// <summary>Probabilities [samples, classes].</summary>
    double[,] PredictProba(double[,] x);
}

/// <summary>A regressor: predicts a real number.</summary>
public interface IRegressor : ISupervised
{
}

/// <summary>A preprocessor: learns from x (and y when supervised) and maps rows to new features.</summary>
public interface ITransformer
{
    /// <summary>Learns the mapping; y is used only by supervised selectors and may be null otherwise.</summary>
    void Fit(double[,] x, double[]? y = null);

    /// <summary>Maps x [samples, features] to [samples, outputs].</summary>
    double[,] Transform(double[,] x);

    /// <summary>True when the transformer accepts NaN in its input (imputers).</summary>
    bool AcceptsNaN { get; }
}

/// <summary>Models that expose a per-feature weight for selection (coefficients or importances), used by <see cref="RFE"/>.</summary>
public interface IFeatureWeights
{
    /// <summary>One non-negative weight per input feature; larger means more important.</summary>
    double[] FeatureWeights();
}
