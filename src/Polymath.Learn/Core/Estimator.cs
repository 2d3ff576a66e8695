using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>
/// Base of every model and preprocessor. Hyperparameters are public settable properties (set them before
/// <c>Fit</c>); fitted state lives in properties with private setters that <see cref="ModelJson"/> saves and loads.
/// Data is <c>double[,]</c> of shape [samples, features], row-major; targets are <c>double[]</c> (class labels are
/// any doubles, usually 0, 1, 2...).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(LinearRegression), nameof(LinearRegression))]
[JsonDerivedType(typeof(Ridge), nameof(Ridge))]
[JsonDerivedType(typeof(Lasso), nameof(Lasso))]
[JsonDerivedType(typeof(SGDRegressor), nameof(SGDRegressor))]
[JsonDerivedType(typeof(LogisticRegression), nameof(LogisticRegression))]
[JsonDerivedType(typeof(SVC), nameof(SVC))]
[JsonDerivedType(typeof(LinearSVC), nameof(LinearSVC))]
[JsonDerivedType(typeof(DecisionTreeClassifier), nameof(DecisionTreeClassifier))]
[JsonDerivedType(typeof(DecisionTreeRegressor), nameof(DecisionTreeRegressor))]
[JsonDerivedType(typeof(RandomForestClassifier), nameof(RandomForestClassifier))]
[JsonDerivedType(typeof(RandomForestRegressor), nameof(RandomForestRegressor))]
[JsonDerivedType(typeof(GradientBoostingClassifier), nameof(GradientBoostingClassifier))]
[JsonDerivedType(typeof(GradientBoostingRegressor), nameof(GradientBoostingRegressor))]
[JsonDerivedType(typeof(KNeighborsClassifier), nameof(KNeighborsClassifier))]
[JsonDerivedType(typeof(KNeighborsRegressor), nameof(KNeighborsRegressor))]
[JsonDerivedType(typeof(GaussianNB), nameof(GaussianNB))]
[JsonDerivedType(typeof(MultinomialNB), nameof(MultinomialNB))]
[JsonDerivedType(typeof(KMeans), nameof(KMeans))]
[JsonDerivedType(typeof(PCA), nameof(PCA))]
[JsonDerivedType(typeof(StandardScaler), nameof(StandardScaler))]
[JsonDerivedType(typeof(MinMaxScaler), nameof(MinMaxScaler))]
[JsonDerivedType(typeof(OneHotEncoder), nameof(OneHotEncoder))]
[JsonDerivedType(typeof(SimpleImputer), nameof(SimpleImputer))]
[JsonDerivedType(typeof(SelectKBest), nameof(SelectKBest))]
[JsonDerivedType(typeof(RFE), nameof(RFE))]
[JsonDerivedType(typeof(Pipeline), nameof(Pipeline))]
public abstract class Estimator
{
    /// <summary>Number of feature columns seen by <c>Fit</c> (sklearn's <c>n_features_in_</c>); -1 before fitting.</summary>
    [JsonInclude]
    public int FeatureCount { get; protected set; } = -1;

    /// <summary>True once <c>Fit</c> has run (or a fitted model was loaded).</summary>
    [JsonIgnore]
    public bool IsFitted => FeatureCount >= 0;

    /// <summary>A deep copy (hyperparameters and any fitted state), made through the JSON form.</summary>
    public Estimator Clone() => ModelJson.Deserialize(ModelJson.Serialize(this));

    /// <summary>Sets a hyperparameter by its property name (case-insensitive), converting numbers as needed; used by <see cref="GridSearchCV"/>.</summary>
    /// <exception cref="ArgumentException">No settable property of that name.</exception>
    public virtual void SetParam(string name, object? value)
    {
        var prop = GetType().GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.SetMethod is { IsPublic: true })
            ?? throw new ArgumentException($"{GetType().Name} has no hyperparameter '{name}'.", nameof(name));
        var target = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
        object? converted = value is null || target.IsInstanceOfType(value) ? value
            : target.IsEnum ? Enum.Parse(target, value.ToString()!, ignoreCase: true)
            : Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
        prop.SetValue(this, converted);
    }

    /// <summary>Throws when the model has not been fitted.</summary>
    protected void CheckFitted()
    {
        if (!IsFitted)
            throw new InvalidOperationException($"{GetType().Name} is not fitted yet; call Fit first.");
    }

    /// <summary>Checks a predict-time matrix: fitted, same column count as at fit time, no NaN unless allowed.</summary>
    protected void CheckPredictInput(double[,] x, bool allowNaN = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckFitted();
        if (x.GetLength(1) != FeatureCount)
            throw new ArgumentException($"{GetType().Name} was fitted on {FeatureCount} features but got {x.GetLength(1)} columns.", nameof(x));
        if (!allowNaN)
            Check.NoNaN(x, GetType().Name);
    }
}
