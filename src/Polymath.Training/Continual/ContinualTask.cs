namespace Polymath.Training.Continual;

/// <summary>How the tasks of a sequence share the model's output layer (van de Ven &amp; Tolias, 2019).</summary>
public enum ContinualScenario
{
    /// <summary>
    /// One head over every class seen so far, no task identity at test time: the model must tell all digits apart,
    /// including those of tasks it no longer trains on. Naive fine-tuning forgets catastrophically here.
    /// </summary>
    ClassIncremental,

    /// <summary>
    /// The task identity is known at training and test time: the logits are masked to the task's own classes
    /// (a shared trunk with one head per task, written as one masked head).
    /// </summary>
    TaskIncremental,

    /// <summary>
    /// The same label space in every task, the input distribution changes (permuted MNIST; split MNIST with the
    /// label "first or second digit of the pair"). No task identity is given.
    /// </summary>
    DomainIncremental,
}

/// <summary>
/// One task of a continual-learning sequence: training and test inputs as dense rows and int64 targets, and the
/// outputs the task may use (task-incremental masking).
/// </summary>
public sealed class ContinualTask
{
    /// <summary>Creates a task.</summary>
    /// <param name="name">A short name for tables and logs, e.g. "0/1".</param>
    /// <param name="trainInputs">Training inputs [N, features] (float32 or float64).</param>
    /// <param name="trainTargets">Training targets, int64 [N].</param>
    /// <param name="testInputs">Test inputs [M, features].</param>
    /// <param name="testTargets">Test targets, int64 [M].</param>
    /// <param name="allowedOutputs">The outputs the task may predict (null: every output).</param>
    /// <exception cref="ArgumentException">Shapes or dtypes do not fit, or a split is empty.</exception>
    public ContinualTask(string name, Tensor trainInputs, Tensor trainTargets, Tensor testInputs, Tensor testTargets, IReadOnlyList<int>? allowedOutputs = null)
    {
        Check(name, "train", trainInputs, trainTargets);
        Check(name, "test", testInputs, testTargets);
        if (trainInputs.Size(1) != testInputs.Size(1))
            throw new ArgumentException($"continual task '{name}': train inputs have {trainInputs.Size(1)} features but test inputs have {testInputs.Size(1)}.");
        Name = name;
        TrainInputs = trainInputs.Contiguous();
        TrainTargets = trainTargets.Contiguous();
        TestInputs = testInputs.Contiguous();
        TestTargets = testTargets.Contiguous();
        AllowedOutputs = allowedOutputs?.ToArray();
    }

    private static void Check(string name, string split, Tensor x, Tensor y)
    {
        if (x.Rank != 2 || !x.DType.IsFloatingPoint())
            throw new ArgumentException($"continual task '{name}': {split} inputs must be floating point [N, features], got {x.DType.Name()} [{string.Join(",", x.Shape)}].");
        if (y.Rank != 1 || y.DType != DType.Int64)
            throw new ArgumentException($"continual task '{name}': {split} targets must be int64 [N], got {y.DType.Name()} [{string.Join(",", y.Shape)}].");
        if (x.Size(0) != y.Size(0))
            throw new ArgumentException($"continual task '{name}': {x.Size(0)} {split} inputs but {y.Size(0)} targets.");
        if (x.Size(0) == 0)
            throw new ArgumentException($"continual task '{name}': the {split} split is empty.");
    }

    /// <summary>The task's name.</summary>
    public string Name { get; }

    /// <summary>Training inputs [N, features].</summary>
    public Tensor TrainInputs { get; }

    /// <summary>Training targets int64 [N].</summary>
    public Tensor TrainTargets { get; }

    /// <summary>Test inputs [M, features].</summary>
    public Tensor TestInputs { get; }

    /// <summary>Test targets int64 [M].</summary>
    public Tensor TestTargets { get; }

    /// <summary>The outputs this task may predict when the scenario masks (task-incremental); null: all.</summary>
    public IReadOnlyList<int>? AllowedOutputs { get; }

    /// <summary>Training examples.</summary>
    public int TrainCount => TrainInputs.Size(0);

    /// <summary>Test examples.</summary>
    public int TestCount => TestInputs.Size(0);
}
