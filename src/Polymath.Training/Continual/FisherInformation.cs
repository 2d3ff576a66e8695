namespace Polymath.Training.Continual;

/// <summary>How <see cref="FisherInformation"/> turns gradients into a diagonal Fisher estimate.</summary>
public enum FisherEstimator
{
    /// <summary>
    /// The empirical Fisher from per-example gradients: F = (1/n) Σᵢ (∇θ ℓ(xᵢ, yᵢ))², one backward pass per example
    /// (the engine's autograd returns the gradient of a scalar, so per-example gradients cost a pass each).
    /// </summary>
    PerSample,

    /// <summary>
    /// From mini-batch mean gradients ĝ_b over batches of m_b examples: F = (1/n) Σ_b m_b² ĝ_b². For i.i.d.
    /// per-example gradients with mean μ and second moment s, E[m ĝ²] = s + (m − 1) μ², so this matches the per-example
    /// estimate where the task's mean gradient is near zero (after training on it) and costs one pass per batch.
    /// With batch size 1 it is exactly <see cref="PerSample"/>.
    /// </summary>
    PerBatch,
}

/// <summary>
/// Diagonal empirical Fisher information of a model on labelled data: the mean squared gradient of the loss with
/// respect to each parameter, taken at the observed labels (not labels sampled from the model, which would give the
/// "true" Fisher). Used by <see cref="EwcStrategy"/> as the importance of each weight.
/// </summary>
public static class FisherInformation
{
    /// <summary>Estimates the diagonal Fisher of <paramref name="model"/> on (<paramref name="inputs"/>, <paramref name="targets"/>).</summary>
    /// <param name="model">The model; it is put in evaluation mode while estimating, and its gradients are cleared afterwards.</param>
    /// <param name="loss">The mean loss of a batch: loss(x, y) → scalar (e.g. masked cross-entropy).</param>
    /// <param name="inputs">Examples [n, ...] (all of them are used; pick a subset before calling).</param>
    /// <param name="targets">Their targets [n, ...].</param>
    /// <param name="estimator">Per-example or per-batch gradients.</param>
    /// <param name="batchSize">Examples per batch for <see cref="FisherEstimator.PerBatch"/> (ignored otherwise).</param>
    /// <returns>One tensor per parameter of <c>model.Parameters()</c>, in that order and shape: the estimate.</returns>
    /// <exception cref="ArgumentException">No examples, or inputs and targets differ in count.</exception>
    public static Tensor[] Estimate(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor inputs, Tensor targets,
        FisherEstimator estimator = FisherEstimator.PerSample, int batchSize = 64)
    {
        int n = inputs.Size(0);
        if (n == 0)
            throw new ArgumentException("Fisher estimate: no examples.");
        if (targets.Size(0) != n)
            throw new ArgumentException($"Fisher estimate: {n} inputs but {targets.Size(0)} targets.");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int step = estimator == FisherEstimator.PerSample ? 1 : batchSize;
        var parameters = model.Parameters().ToArray();
        var fisher = parameters.Select(p => Tensor.Zeros(p.Shape, p.DType)).ToArray();
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            for (int start = 0; start < n; start += step)
            {
                int m = Math.Min(step, n - start);
                model.ZeroGrad();
                loss(inputs.Narrow(0, start, m), targets.Narrow(0, start, m)).Backward();
                using (Tensor.NoGrad())
                    for (int k = 0; k < parameters.Length; k++)
                        if (parameters[k].Grad is { } g)
                            fisher[k].AddInPlace(g.Square(), (double)m * m);
            }
        }
        finally
        {
            model.ZeroGrad();
            if (wasTraining)
                model.Train();
        }
        using (Tensor.NoGrad())
            foreach (var f in fisher)
                f.MulInPlace(1.0 / n);
        return fisher;
    }
}
