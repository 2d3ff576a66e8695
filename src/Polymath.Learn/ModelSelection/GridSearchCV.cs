namespace Polymath.Learn;

/// <summary>
/// Exhaustive search over a grid of hyperparameters, scored by cross-validation; then refits the best setting on
/// all the data. Parameter names are property names (case-insensitive); inside a <see cref="Pipeline"/> use
/// "step__Param", as sklearn.
/// </summary>
public sealed class GridSearchCV
{
    /// <summary>Creates a search.</summary>
    /// <param name="estimator">The model to tune (left unchanged; copies are fitted).</param>
    /// <param name="paramGrid">Candidate values per parameter name.</param>
    /// <param name="cv">Splitter (default StratifiedKFold(5) for classifiers, KFold(5) otherwise).</param>
    /// <param name="scoring">A <see cref="Scoring"/> name (default: the model's Score).</param>
    public GridSearchCV(Estimator estimator, IReadOnlyDictionary<string, object?[]> paramGrid, ICrossValidator? cv = null, string? scoring = null)
    {
        Estimator = estimator;
        ParamGrid = paramGrid;
        Cv = cv;
        ScoringName = scoring;
    }

    /// <summary>The model being tuned.</summary>
    public Estimator Estimator { get; }

    /// <summary>The grid.</summary>
    public IReadOnlyDictionary<string, object?[]> ParamGrid { get; }

    /// <summary>The splitter.</summary>
    public ICrossValidator? Cv { get; }

    /// <summary>The scoring name.</summary>
    public string? ScoringName { get; }

    /// <summary>Each candidate with its fold scores and mean, in grid order.</summary>
    public List<(Dictionary<string, object?> Params, double[] Scores, double Mean)> Results { get; } = [];

    /// <summary>The best candidate (first one on ties).</summary>
    public Dictionary<string, object?> BestParams { get; private set; } = [];

    /// <summary>Mean cross-validated score of the best candidate.</summary>
    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>The best candidate refitted on all the data.</summary>
    public Estimator? BestEstimator { get; private set; }

    /// <summary>Runs the search.</summary>
    public void Fit(double[,] x, double[] y)
    {
        Results.Clear();
        BestScore = double.NegativeInfinity;
        foreach (var candidate in Candidates())
        {
            var model = Configure(candidate);
            var scores = ModelSelection.CrossValScore(model, x, y, Cv, ScoringName);
            double mean = scores.Average();
            Results.Add((candidate, scores, mean));
            if (mean > BestScore)
            {
                BestScore = mean;
                BestParams = candidate;
            }
        }
        var best = Configure(BestParams);
        ((ISupervised)best).Fit(x, y);
        BestEstimator = best;
    }

    /// <summary>Predictions of the refitted best model.</summary>
    public double[] Predict(double[,] x) =>
        ((ISupervised)(BestEstimator ?? throw new InvalidOperationException("GridSearchCV: call Fit first."))).Predict(x);

    /// <summary>Score of the refitted best model.</summary>
    public double Score(double[,] x, double[] y) =>
        ((ISupervised)(BestEstimator ?? throw new InvalidOperationException("GridSearchCV: call Fit first."))).Score(x, y);

    private Estimator Configure(Dictionary<string, object?> parameters)
    {
        var model = Estimator.Clone();
        foreach (var (name, value) in parameters)
            model.SetParam(name, value);
        return model;
    }

    private IEnumerable<Dictionary<string, object?>> Candidates()
    {
        IEnumerable<Dictionary<string, object?>> acc = [new Dictionary<string, object?>()];
        foreach (var (name, values) in ParamGrid)
            acc = acc.SelectMany(d => values.Select(v => new Dictionary<string, object?>(d) { [name] = v })).ToList();
        return acc;
    }
}
