namespace Polymath.NN;

/// <summary>Gradient clipping (PyTorch's <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>).</summary>
public static class GradClip
{
    // PyTorch adds this to the total norm before dividing, so a zero norm does not divide by zero.
    private const double NormEpsilon = 1e-6;

    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their total norm (the
    /// <paramref name="normType"/>-norm of all gradients taken together) is at most <paramref name="maxNorm"/>:
    /// each gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Parameters without a gradient are skipped.
    /// </summary>
    /// <param name="parameters">The parameters whose <see cref="Tensor.Grad"/> is clipped.</param>
    /// <param name="maxNorm">The largest allowed total norm.</param>
    /// <param name="normType">p of the norm: 2 (default), 1, any p &gt; 0, or <see cref="double.PositiveInfinity"/> for the max-abs norm.</param>
    /// <param name="errorIfNonfinite">Throw, instead of scaling by NaN, when the total norm is NaN or infinite.</param>
    /// <returns>The total norm before clipping.</returns>
    /// <exception cref="ArgumentException"><paramref name="maxNorm"/> is negative or <paramref name="normType"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The norm is not finite and <paramref name="errorIfNonfinite"/> is set.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        if (!(maxNorm >= 0))
            throw new ArgumentException($"clip_grad_norm_: max_norm must be >= 0, got {maxNorm}.");
        if (!(normType > 0))
            throw new ArgumentException($"clip_grad_norm_: norm_type must be positive (or infinity), got {normType}.");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0)
            return 0;
        double total;
        using (Tensor.NoGrad())
        {
            var norms = grads.Select(g => g.Norm(normType).Item()).ToArray();
            if (double.IsPositiveInfinity(normType))
                total = norms.Max();
            else if (normType == 1)
                total = norms.Sum();
            else
                total = Math.Pow(norms.Sum(n => Math.Pow(n, normType)), 1 / normType);
            if (errorIfNonfinite && !double.IsFinite(total))
                throw new InvalidOperationException($"clip_grad_norm_: the total norm of order {normType} of the gradients is non-finite ({total}), so it cannot be clipped; pass errorIfNonfinite: false to scale anyway.");
            double coefficient = Math.Min(maxNorm / (total + NormEpsilon), 1.0);
            if (coefficient < 1 || double.IsNaN(coefficient))
                foreach (var g in grads)
                    g.MulInPlace(coefficient);
        }
        return total;
    }

    /// <summary>Clamps every gradient element of <paramref name="parameters"/> into [−clipValue, clipValue], in place.</summary>
    /// <exception cref="ArgumentException"><paramref name="clipValue"/> is negative or NaN.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        if (!(clipValue >= 0))
            throw new ArgumentException($"clip_grad_value_: clip_value must be >= 0, got {clipValue}.");
        using (Tensor.NoGrad())
            foreach (var p in parameters)
                p.Grad?.ClampInPlace(-clipValue, clipValue);
    }
}
