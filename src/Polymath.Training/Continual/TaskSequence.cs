using System.Globalization;

namespace Polymath.Training.Continual;

/// <summary>
/// An ordered list of tasks learned one after another, with the scenario that says how they share the output layer:
/// split MNIST (five tasks of two digits each) in the class-, task- or domain-incremental setting, or permuted MNIST
/// (each task a fixed random permutation of the pixels, domain-incremental).
/// </summary>
public sealed class TaskSequence
{
    // Added to the logits a task may not use: their softmax weight underflows to zero, and so does their gradient.
    private const double MaskedLogit = -1e9;

    /// <summary>Creates a sequence from tasks.</summary>
    /// <param name="name">Benchmark name for reports, e.g. "split-mnist".</param>
    /// <param name="scenario">How the tasks share the outputs.</param>
    /// <param name="outputs">Width of the model's output layer.</param>
    /// <param name="tasks">The tasks in training order (at least one).</param>
    /// <exception cref="ArgumentException">No tasks, features differ between tasks, a target or an allowed output is outside [0, outputs).</exception>
    public TaskSequence(string name, ContinualScenario scenario, int outputs, IReadOnlyList<ContinualTask> tasks)
    {
        if (tasks.Count == 0)
            throw new ArgumentException($"task sequence '{name}': no tasks.");
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        int features = tasks[0].TrainInputs.Size(1);
        foreach (var t in tasks)
        {
            if (t.TrainInputs.Size(1) != features)
                throw new ArgumentException($"task sequence '{name}': task '{t.Name}' has {t.TrainInputs.Size(1)} features, task '{tasks[0].Name}' has {features}.");
            foreach (var y in new[] { t.TrainTargets, t.TestTargets })
                foreach (long v in y.ToArray<long>())
                    if (v < 0 || v >= outputs)
                        throw new ArgumentException($"task sequence '{name}': task '{t.Name}' has target {v}, outside [0, {outputs}).");
            if (t.AllowedOutputs is { } allowed && allowed.Any(o => o < 0 || o >= outputs))
                throw new ArgumentException($"task sequence '{name}': task '{t.Name}' allows an output outside [0, {outputs}).");
            if (scenario == ContinualScenario.TaskIncremental && t.AllowedOutputs is null)
                throw new ArgumentException($"task sequence '{name}': the task-incremental scenario needs the allowed outputs of task '{t.Name}'.");
        }
        Name = name;
        Scenario = scenario;
        Outputs = outputs;
        Features = features;
        Tasks = tasks.ToArray();
    }

    /// <summary>Benchmark name.</summary>
    public string Name { get; }

    /// <summary>How the tasks share the outputs.</summary>
    public ContinualScenario Scenario { get; }

    /// <summary>Width of the output layer.</summary>
    public int Outputs { get; }

    /// <summary>Input features per example.</summary>
    public int Features { get; }

    /// <summary>The tasks in training order.</summary>
    public IReadOnlyList<ContinualTask> Tasks { get; }

    /// <summary>
    /// The additive logit mask for rows that belong to <paramref name="taskOfRow"/> (0 where the row's task may
    /// predict, −10⁹ elsewhere), [N, outputs] or [1, outputs] when every row has the same task; null unless the
    /// scenario is task-incremental.
    /// </summary>
    public Tensor? LogitMask(IReadOnlyList<int> taskOfRow, DType dtype)
    {
        if (Scenario != ContinualScenario.TaskIncremental || taskOfRow.Count == 0)
            return null;
        bool same = taskOfRow.All(t => t == taskOfRow[0]);
        int rows = same ? 1 : taskOfRow.Count;
        var m = new double[rows * Outputs];
        for (int r = 0; r < rows; r++)
        {
            Array.Fill(m, MaskedLogit, r * Outputs, Outputs);
            foreach (int o in Tasks[taskOfRow[r]].AllowedOutputs!)
                m[r * Outputs + o] = 0;
        }
        return Tensor.From(m, rows, Outputs).To(dtype);
    }

    /// <summary>The model's logits for <paramref name="x"/>, masked for the rows' tasks in the task-incremental scenario.</summary>
    public Tensor Logits(Module<Tensor, Tensor> model, Tensor x, IReadOnlyList<int> taskOfRow)
    {
        var logits = model.Call(x);
        if (logits.Rank != 2 || logits.Size(1) != Outputs)
            throw new ArgumentException($"task sequence '{Name}': the model gave [{string.Join(",", logits.Shape)}], expected [N, {Outputs}].");
        return LogitMask(taskOfRow, logits.DType) is { } mask ? logits + mask : logits;
    }

    /// <summary>Mean cross-entropy of the (masked) logits against <paramref name="y"/>.</summary>
    public Tensor Loss(Module<Tensor, Tensor> model, Tensor x, Tensor y, IReadOnlyList<int> taskOfRow) =>
        Losses.CrossEntropy(Logits(model, x, taskOfRow), y);

    /// <summary>Mean cross-entropy for a batch that all belongs to task <paramref name="task"/>.</summary>
    public Tensor Loss(Module<Tensor, Tensor> model, Tensor x, Tensor y, int task) =>
        Loss(model, x, y, Enumerable.Repeat(task, x.Size(0)).ToArray());

    /// <summary>Test accuracy (fraction correct) of <paramref name="model"/> on task <paramref name="task"/>, without gradients, in evaluation mode.</summary>
    public double TestAccuracy(Module<Tensor, Tensor> model, int task, int batchSize = 1000)
    {
        var t = Tasks[task];
        bool wasTraining = model.Training;
        model.Eval();
        long correct = 0;
        using (Tensor.NoGrad())
        {
            for (int start = 0; start < t.TestCount; start += batchSize)
            {
                int n = Math.Min(batchSize, t.TestCount - start);
                var x = t.TestInputs.Narrow(0, start, n);
                var pred = Logits(model, x, Enumerable.Repeat(task, n).ToArray()).ArgMax(1).ToArray<long>();
                var y = t.TestTargets.Narrow(0, start, n).ToArray<long>();
                for (int i = 0; i < n; i++)
                    if (pred[i] == y[i]) correct++;
            }
        }
        if (wasTraining)
            model.Train();
        return (double)correct / t.TestCount;
    }

    /// <summary>
    /// A copy whose tasks are evaluated on held-out training data instead of their test split: the last
    /// <paramref name="perTask"/> training examples of each task become its evaluation set and are no longer trained
    /// on. Tune hyper-parameters (λ, memory size) on this, then report on the test split.
    /// </summary>
    /// <exception cref="ArgumentException">A task has no more than <paramref name="perTask"/> training examples.</exception>
    public TaskSequence HoldOut(int perTask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perTask, 1);
        var tasks = new List<ContinualTask>();
        foreach (var t in Tasks)
        {
            int n = t.TrainCount;
            if (perTask >= n)
                throw new ArgumentException($"task sequence '{Name}': task '{t.Name}' has {n} training examples, too few to hold out {perTask}.");
            tasks.Add(new ContinualTask(t.Name, t.TrainInputs.Narrow(0, 0, n - perTask), t.TrainTargets.Narrow(0, 0, n - perTask),
                t.TrainInputs.Narrow(0, n - perTask, perTask), t.TrainTargets.Narrow(0, n - perTask, perTask), t.AllowedOutputs));
        }
        return new TaskSequence(Name + " (validation)", Scenario, Outputs, tasks);
    }

    /// <summary>The digit pairs of the usual split MNIST: {0,1}, {2,3}, {4,5}, {6,7}, {8,9}.</summary>
    public static IReadOnlyList<int[]> DefaultPairs { get; } = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]];

    /// <summary>
    /// Split MNIST: one task per class group (default the five digit pairs). Class-incremental: 10 outputs, the
    /// target is the digit. Task-incremental: 10 outputs masked to the task's digits. Domain-incremental: one output
    /// per position in the group (2 for pairs), the target is the digit's position in its group.
    /// </summary>
    /// <param name="train">The MNIST training split (or any MNIST-like set: Fashion-MNIST works the same way).</param>
    /// <param name="test">The test split.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="groups">Class groups, one per task (default <see cref="DefaultPairs"/>); all the same size for the domain scenario.</param>
    /// <param name="trainPerTask">Keep the first N training images of each task (null: all, about 12,000).</param>
    /// <param name="testPerTask">Keep the first N test images of each task (null: all, about 2,000).</param>
    /// <param name="mean">Pixel mean subtracted after scaling to [0, 1] (MNIST's 0.1307).</param>
    /// <param name="std">Pixel standard deviation divided by (MNIST's 0.3081).</param>
    /// <exception cref="ArgumentException">A group is empty, a class appears twice or is outside 0–9, groups differ in size in the domain scenario.</exception>
    public static TaskSequence SplitMnist(MnistLike train, MnistLike test, ContinualScenario scenario, IReadOnlyList<int[]>? groups = null,
        int? trainPerTask = null, int? testPerTask = null, double mean = 0.1307, double std = 0.3081)
    {
        groups ??= DefaultPairs;
        var seen = new HashSet<int>();
        foreach (var g in groups)
        {
            if (g.Length == 0)
                throw new ArgumentException("split MNIST: a class group is empty.");
            foreach (int c in g)
                if (c is < 0 or > 9 || !seen.Add(c))
                    throw new ArgumentException($"split MNIST: class {c} is outside 0-9 or appears in two groups.");
        }
        if (scenario == ContinualScenario.DomainIncremental && groups.Any(g => g.Length != groups[0].Length))
            throw new ArgumentException("split MNIST: the domain-incremental scenario needs class groups of one size.");
        int outputs = scenario == ContinualScenario.DomainIncremental ? groups[0].Length : 10;
        var tasks = new List<ContinualTask>();
        foreach (var g in groups)
        {
            long Target(long digit) => scenario == ContinualScenario.DomainIncremental ? Array.IndexOf(g, (int)digit) : digit;
            var (xTrain, yTrain) = Rows(train, i => g.Contains((int)train.Label(i)), trainPerTask, mean, std, null, Target);
            var (xTest, yTest) = Rows(test, i => g.Contains((int)test.Label(i)), testPerTask, mean, std, null, Target);
            tasks.Add(new ContinualTask(string.Join("/", g), xTrain, yTrain, xTest, yTest, scenario == ContinualScenario.TaskIncremental ? g : null));
        }
        return new TaskSequence("split-mnist", scenario, outputs, tasks);
    }

    /// <summary>
    /// Permuted MNIST (Goodfellow et al. 2013; Kirkpatrick et al. 2017): every task is the ten-digit problem with the
    /// pixels shuffled by a fixed permutation; the first task keeps the identity. Domain-incremental, 10 outputs.
    /// </summary>
    /// <param name="train">The MNIST training split.</param>
    /// <param name="test">The test split.</param>
    /// <param name="tasks">Number of tasks (at least 1).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="trainPerTask">Keep the first N training images (null: all 60,000; each task holds its own permuted copy).</param>
    /// <param name="testPerTask">Keep the first N test images (null: all 10,000).</param>
    /// <param name="mean">Pixel mean subtracted after scaling to [0, 1].</param>
    /// <param name="std">Pixel standard deviation divided by.</param>
    public static TaskSequence PermutedMnist(MnistLike train, MnistLike test, int tasks, ulong seed, int? trainPerTask = null, int? testPerTask = null,
        double mean = 0.1307, double std = 0.3081)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        int pixels = train.Height * train.Width;
        var gen = new Generator(seed);
        var list = new List<ContinualTask>();
        for (int t = 0; t < tasks; t++)
        {
            var perm = new long[pixels];
            if (t == 0)
                for (int i = 0; i < pixels; i++) perm[i] = i;
            else
                gen.Randperm(perm);
            var p = perm.Select(v => (int)v).ToArray();
            var (xTrain, yTrain) = Rows(train, _ => true, trainPerTask, mean, std, p, d => d);
            var (xTest, yTest) = Rows(test, _ => true, testPerTask, mean, std, p, d => d);
            list.Add(new ContinualTask(t == 0 ? "identity" : "perm " + t.ToString(CultureInfo.InvariantCulture), xTrain, yTrain, xTest, yTest));
        }
        return new TaskSequence("permuted-mnist", ContinualScenario.DomainIncremental, 10, list);
    }

    // The images that pass the filter (the first `limit` of them), standardised and optionally permuted, as [N, H*W].
    private static (Tensor X, Tensor Y) Rows(MnistLike set, Func<int, bool> keep, int? limit, double mean, double std, int[]? permutation, Func<long, long> target)
    {
        if (limit is int l && l < 1)
            throw new ArgumentOutOfRangeException(nameof(limit), $"continual task data: the per-task limit must be at least 1, got {l}.");
        var chosen = new List<int>();
        for (int i = 0; i < set.Count && (limit is not int max || chosen.Count < max); i++)
            if (keep(i))
                chosen.Add(i);
        int d = set.Height * set.Width;
        var raw = set.RawImages.Span;
        var x = new float[chosen.Count * d];
        var y = new long[chosen.Count];
        float scale = (float)(1 / (255 * std)), shift = (float)(mean / std);
        for (int r = 0; r < chosen.Count; r++)
        {
            var img = raw.Slice(chosen[r] * d, d);
            var row = x.AsSpan(r * d, d);
            for (int k = 0; k < d; k++)
                row[k] = img[permutation is null ? k : permutation[k]] * scale - shift;
            y[r] = target(set.Label(chosen[r]));
        }
        return (Tensor.Wrap(x, chosen.Count, d), Tensor.From(y, chosen.Count));
    }
}
