using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>A named step of a <see cref="Pipeline"/>.</summary>
public sealed class PipelineStep
{
    /// <summary>Step name (used in "name__Param" grid keys).</summary>
    public string Name { get; set; } = "";

    /// <summary>The preprocessor or model.</summary>
    public Estimator Model { get; set; } = null!;
}

/// <summary>
/// Preprocessors followed by a final model: Fit fits each transformer on the output of the previous ones, then the
/// model; Predict/PredictProba/Score push rows through the fitted transformers first. NaN in the input is accepted
/// only when a transformer that accepts it (an imputer) comes before any step that does not.
/// </summary>
public sealed class Pipeline : Estimator, IClassifier, IRegressor
{
    /// <summary>An empty pipeline (for the serializer).</summary>
    public Pipeline()
    {
    }

    /// <summary>A pipeline of steps named by their lower-case type names (as sklearn's make_pipeline).</summary>
    public Pipeline(params Estimator[] steps)
    {
        Steps = steps.Select(s => new PipelineStep { Name = s.GetType().Name.ToLowerInvariant(), Model = s }).ToList();
    }

    /// <summary>The steps; all but the last must be transformers.</summary>
    public List<PipelineStep> Steps { get; set; } = [];

    /// <summary>The last step.</summary>
    [JsonIgnore] public Estimator Final => Steps.Count > 0 ? Steps[^1].Model : throw new InvalidOperationException("the pipeline has no steps.");

    /// <inheritdoc />
    [JsonIgnore] public double[] Classes => (Final as IClassifier)?.Classes ?? throw new InvalidOperationException($"the pipeline ends in {Final.GetType().Name}, not a classifier.");

    /// <inheritdoc />
    public void Fit(double[,] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (Steps.Count == 0)
            throw new InvalidOperationException("the pipeline has no steps.");
        if (Final is not ISupervised)
            throw new InvalidOperationException($"the last pipeline step must be a model, not {Final.GetType().Name}.");
        FeatureCount = -1;
        var data = x;
        for (int s = 0; s < Steps.Count - 1; s++)
        {
            if (Steps[s].Model is not Transformer t)
                throw new InvalidOperationException($"pipeline step '{Steps[s].Name}' ({Steps[s].Model.GetType().Name}) is not a transformer.");
            data = t.FitTransform(data, y);
        }
        ((ISupervised)Final).Fit(data, y);
        FeatureCount = x.GetLength(1);
    }

    private double[,] Prepare(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckFitted();
        if (x.GetLength(1) != FeatureCount)
            throw new ArgumentException($"the pipeline was fitted on {FeatureCount} features but got {x.GetLength(1)} columns.", nameof(x));
        var data = x;
        for (int s = 0; s < Steps.Count - 1; s++)
            data = ((Transformer)Steps[s].Model).Transform(data);
        return data;
    }

    /// <summary>Runs only the transformers.</summary>
    public double[,] Transform(double[,] x) => Prepare(x);

    /// <inheritdoc />
    public double[] Predict(double[,] x) => ((ISupervised)Final).Predict(Prepare(x));

    /// <inheritdoc />
    public double[,] PredictProba(double[,] x) =>
        (Final as IClassifier ?? throw new InvalidOperationException($"the pipeline ends in {Final.GetType().Name}, which gives no probabilities.")).PredictProba(Prepare(x));

    /// <inheritdoc />
    public double Score(double[,] x, double[] y) => ((ISupervised)Final).Score(Prepare(x), y);

    /// <summary>Sets "step__Param" on the named step (or a parameter of the final model when there is no "__").</summary>
    public override void SetParam(string name, object? value)
    {
        int sep = name.IndexOf("__", StringComparison.Ordinal);
        if (sep < 0)
        {
            Final.SetParam(name, value);
            return;
        }
        string step = name[..sep];
        var target = Steps.FirstOrDefault(s => s.Name == step) ?? throw new ArgumentException($"the pipeline has no step '{step}' (steps: {string.Join(", ", Steps.Select(s => s.Name))}).");
        target.Model.SetParam(name[(sep + 2)..], value);
    }
}
