namespace Polymath.Training.Continual;

/// <summary>
/// Experience replay with a reservoir-sampled episodic memory (Chaudhry et al. 2019, "On tiny episodic memories in
/// continual learning"): every training example of the current task is offered once (during the task's first epoch)
/// to a <see cref="ReservoirBuffer{T}"/> of fixed size, so the memory stays a uniform sample of everything seen; each
/// training batch is concatenated with a batch drawn from the memory, and the mean loss over the joint batch is
/// minimised (in the task-incremental scenario each replayed row keeps its own task's output mask).
/// </summary>
/// <remarks>
/// The memory holds (task, row) references into the sequence's training data rather than copies of the pixels; the
/// strategy only ever reads the rows the memory holds, so this is the same algorithm with the same memory budget in
/// examples, without a second copy of the images.
/// </remarks>
public sealed class ExperienceReplay : ContinualStrategy
{
    private ReservoirBuffer<(int Task, int Row)>? _memory;

    /// <summary>Creates the strategy.</summary>
    /// <param name="bufferSize">Examples the memory keeps (≥ 1).</param>
    /// <param name="replayBatchSize">Examples drawn from the memory for each training batch (≥ 1).</param>
    public ExperienceReplay(int bufferSize, int replayBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replayBatchSize, 1);
        BufferSize = bufferSize;
        ReplayBatchSize = replayBatchSize;
    }

    /// <inheritdoc/>
    public override string Name => "replay";

    /// <summary>Examples the memory keeps.</summary>
    public int BufferSize { get; }

    /// <summary>Examples replayed per training batch.</summary>
    public int ReplayBatchSize { get; }

    /// <summary>The memory (null before training starts).</summary>
    public ReservoirBuffer<(int Task, int Row)>? Memory => _memory;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> Settings => new Dictionary<string, object?>
    {
        ["buffer_size"] = BufferSize, ["replay_batch_size"] = ReplayBatchSize,
    };

    /// <summary>How many memory examples belong to each task (index = task).</summary>
    public int[] MemoryPerTask(int tasks)
    {
        var counts = new int[tasks];
        if (_memory is not null)
            foreach (var (t, _) in _memory.Items)
                counts[t]++;
        return counts;
    }

    /// <inheritdoc/>
    public override void BeforeTask(ContinualContext context) =>
        _memory ??= new ReservoirBuffer<(int, int)>(BufferSize, context.Generator);

    /// <inheritdoc/>
    public override Tensor TrainingLoss(ContinualContext context, Tensor x, Tensor y)
    {
        if (_memory is null || _memory.Count == 0)
            return base.TrainingLoss(context, x, y);
        var draw = _memory.Sample(ReplayBatchSize);
        var xs = new List<Tensor> { x };
        var ys = new List<Tensor> { y };
        var taskOfRow = Enumerable.Repeat(context.TaskIndex, x.Size(0)).ToList();
        foreach (var group in draw.GroupBy(d => d.Task).OrderBy(g => g.Key))
        {
            var task = context.Sequence.Tasks[group.Key];
            var rows = group.Select(d => (long)d.Row).ToArray();
            var idx = Tensor.From(rows, rows.Length);
            xs.Add(task.TrainInputs.IndexSelect(0, idx).To(x.DType));
            ys.Add(task.TrainTargets.IndexSelect(0, idx));
            taskOfRow.AddRange(Enumerable.Repeat(group.Key, rows.Length));
        }
        return context.Sequence.Loss(context.Model, Tensor.Cat(xs, 0), Tensor.Cat(ys, 0), taskOfRow);
    }

    /// <inheritdoc/>
    public override void AfterStep(ContinualContext context, Tensor x, Tensor y, IReadOnlyList<int> rows)
    {
        if (context.Epoch != 0)
            return; // offer each example once, or a multi-epoch task would fill the memory with duplicates
        _memory ??= new ReservoirBuffer<(int, int)>(BufferSize, context.Generator);
        foreach (int r in rows)
            _memory.Add((context.TaskIndex, r));
    }
}
