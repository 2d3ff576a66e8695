namespace Polymath.Training.Continual;

/// <summary>What a strategy sees while a sequence is learned: the model, the tasks, the current task and a seeded generator.</summary>
public sealed class ContinualContext
{
    /// <summary>Creates a context.</summary>
    public ContinualContext(Module<Tensor, Tensor> model, TaskSequence sequence, Generator generator)
    {
        Model = model;
        Sequence = sequence;
        Generator = generator;
    }

    /// <summary>The model being trained.</summary>
    public Module<Tensor, Tensor> Model { get; }

    /// <summary>The task sequence.</summary>
    public TaskSequence Sequence { get; }

    /// <summary>The task being trained (0-based).</summary>
    public int TaskIndex { get; set; }

    /// <summary>The epoch of the current task being trained (0-based).</summary>
    public int Epoch { get; set; }

    /// <summary>The task being trained.</summary>
    public ContinualTask Task => Sequence.Tasks[TaskIndex];

    /// <summary>The run's random source (data order, replay draws, Fisher samples): one seed fixes them all.</summary>
    public Generator Generator { get; }
}

/// <summary>
/// A continual-learning strategy: the hooks the learner calls around each task and each training batch. The base
/// class trains on the current task's loss alone, which is naive fine-tuning.
/// </summary>
public abstract class ContinualStrategy
{
    /// <summary>Short name for tables and logs ("naive", "ewc", "replay").</summary>
    public abstract string Name { get; }

    /// <summary>The strategy's settings, for the run log and the report.</summary>
    public virtual IReadOnlyDictionary<string, object?> Settings => new Dictionary<string, object?>();

    /// <summary>Called before the first batch of a task.</summary>
    public virtual void BeforeTask(ContinualContext context)
    {
    }

    /// <summary>The loss to back-propagate for a batch <paramref name="x"/>, <paramref name="y"/> of the current task.</summary>
    public virtual Tensor TrainingLoss(ContinualContext context, Tensor x, Tensor y) =>
        context.Sequence.Loss(context.Model, x, y, context.TaskIndex);

    /// <summary>Called after each optimizer step with the batch of the current task it used.</summary>
    /// <param name="context">The run.</param>
    /// <param name="x">The batch's inputs.</param>
    /// <param name="y">The batch's targets.</param>
    /// <param name="rows">The batch's row indices in the current task's training data.</param>
    public virtual void AfterStep(ContinualContext context, Tensor x, Tensor y, IReadOnlyList<int> rows)
    {
    }

    /// <summary>Called after the last batch of a task, before the model is evaluated.</summary>
    public virtual void AfterTask(ContinualContext context)
    {
    }
}

/// <summary>Naive fine-tuning: each task is trained on its own data only; nothing protects what earlier tasks learned.</summary>
public sealed class NaiveStrategy : ContinualStrategy
{
    /// <inheritdoc/>
    public override string Name => "naive";
}
