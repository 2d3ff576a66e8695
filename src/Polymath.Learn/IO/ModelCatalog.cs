namespace Polymath.Learn;

/// <summary>Models by short name, for the command line: <c>svc</c>, <c>forest</c>, <c>ridge</c>….</summary>
public static class ModelCatalog
{
    private static readonly Dictionary<string, (Func<int, Estimator> Create, bool Scale, string Help)> s_models = new()
    {
        ["logistic"] = (_ => new LogisticRegression { MaxIter = 1000 }, true, "LogisticRegression (L2, multinomial)"),
        ["svc"] = (seed => new SVC { RandomState = seed }, true, "SVC (RBF kernel; --param Kernel=Poly, C=10, Gamma=0.1)"),
        ["linear-svc"] = (seed => new LinearSVC { RandomState = seed }, true, "LinearSVC (dual coordinate descent)"),
        ["tree"] = (seed => new DecisionTreeClassifier { RandomState = seed }, false, "DecisionTreeClassifier (CART)"),
        ["forest"] = (seed => new RandomForestClassifier { RandomState = seed }, false, "RandomForestClassifier (100 trees)"),
        ["gb"] = (seed => new GradientBoostingClassifier { RandomState = seed }, false, "GradientBoostingClassifier"),
        ["knn"] = (_ => new KNeighborsClassifier(), true, "KNeighborsClassifier (k = 5)"),
        ["gaussian-nb"] = (_ => new GaussianNB(), false, "GaussianNB"),
        ["multinomial-nb"] = (_ => new MultinomialNB(), false, "MultinomialNB (non-negative counts)"),
        ["linear"] = (_ => new LinearRegression(), false, "LinearRegression (QR; coefficients with p-values)"),
        ["ridge"] = (_ => new Ridge(), true, "Ridge"),
        ["lasso"] = (_ => new Lasso(), true, "Lasso"),
        ["sgd"] = (seed => new SGDRegressor { RandomState = seed }, true, "SGDRegressor"),
        ["tree-regressor"] = (seed => new DecisionTreeRegressor { RandomState = seed }, false, "DecisionTreeRegressor"),
        ["forest-regressor"] = (seed => new RandomForestRegressor { RandomState = seed }, false, "RandomForestRegressor"),
        ["gb-regressor"] = (seed => new GradientBoostingRegressor { RandomState = seed }, false, "GradientBoostingRegressor"),
        ["knn-regressor"] = (_ => new KNeighborsRegressor(), true, "KNeighborsRegressor"),
    };

    /// <summary>The names, in a stable order.</summary>
    public static IReadOnlyList<string> Names => [.. s_models.Keys];

    /// <summary>One line per model: name and what it is.</summary>
    public static IEnumerable<(string Name, string Help)> Describe() => s_models.Select(kv => (kv.Key, kv.Value.Help));

    /// <summary>A fresh model of that name.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the names).</exception>
    public static Estimator Create(string name, int seed = 0) =>
        s_models.TryGetValue(name, out var m) ? m.Create(seed) : throw new ArgumentException($"unknown model '{name}'; models: {string.Join(", ", s_models.Keys)}.");

    /// <summary>True when the model works best on standardised features (distance, kernel and penalised linear models).</summary>
    public static bool WantsScaling(string name) => s_models.TryGetValue(name, out var m) && m.Scale;
}
