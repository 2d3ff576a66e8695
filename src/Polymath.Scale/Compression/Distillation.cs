namespace Polymath.Scale.Compression;

/// <summary>
/// Knowledge distillation (Hinton, Vinyals and Dean, 2015): a student learns from the teacher's softened outputs as
/// well as from the labels. Loss = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y), the KL term averaged over
/// the batch; the T² keeps the soft term's gradient scale independent of the temperature.
/// </summary>
public static class Distillation
{
    /// <summary>The distillation loss for one batch.</summary>
    /// <param name="studentLogits">Student outputs [N, C] (differentiable).</param>
    /// <param name="teacherLogits">Teacher outputs [N, C] (treated as constants).</param>
    /// <param name="target">Class labels int64 [N].</param>
    /// <param name="temperature">T &gt; 0.</param>
    /// <param name="alpha">Weight of the soft term, in [0, 1].</param>
    /// <exception cref="ArgumentException">Shapes differ, or T or α is out of range.</exception>
    public static Tensor Loss(Tensor studentLogits, Tensor teacherLogits, Tensor target, double temperature, double alpha)
    {
        if (!(temperature > 0) || !(alpha >= 0 && alpha <= 1))
            throw new ArgumentException($"Distillation: need temperature > 0 and alpha in [0, 1], got T={temperature}, alpha={alpha}.");
        if (studentLogits.Rank != 2 || !studentLogits.Shape.SequenceEqual(teacherLogits.Shape))
            throw new ArgumentException($"Distillation: student [{string.Join(",", studentLogits.Shape)}] and teacher [{string.Join(",", teacherLogits.Shape)}] logits must both be [N, C].");
        var logPs = (studentLogits / temperature).LogSoftmax(1);
        var logPt = (teacherLogits.Detach() / temperature).LogSoftmax(1);
        var soft = Losses.KLDiv(logPs, logPt, Reduction.BatchMean, logTarget: true) * (temperature * temperature);
        if (alpha == 1)
            return soft * alpha;
        var hard = Losses.CrossEntropy(studentLogits, target);
        return soft * alpha + hard * (1 - alpha);
    }

    /// <summary>
    /// Trains <paramref name="student"/> on <paramref name="batches"/> against <paramref name="teacher"/> (run in
    /// evaluation mode without gradients) for one pass; returns the mean loss.
    /// </summary>
    public static double TrainEpoch(Module<Tensor, Tensor> student, Module<Tensor, Tensor> teacher, IEnumerable<(Tensor Input, Tensor Target)> batches,
        Optimizer optimizer, double temperature, double alpha, CancellationToken cancel = default)
    {
        teacher.Eval();
        student.Train();
        double sum = 0;
        int count = 0;
        foreach (var (x, y) in batches)
        {
            cancel.ThrowIfCancellationRequested();
            Tensor t;
            using (Tensor.NoGrad())
                t = teacher.Call(x);
            optimizer.ZeroGrad();
            var loss = Loss(student.Call(x), t, y, temperature, alpha);
            loss.Backward();
            optimizer.Step();
            sum += loss.Item();
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }
}
