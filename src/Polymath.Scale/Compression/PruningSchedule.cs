namespace Polymath.Scale.Compression;

/// <summary>
/// The gradual pruning schedule of Zhu and Gupta (2017, "To prune, or not to prune"): sparsity rises from
/// <see cref="InitialSparsity"/> to <see cref="FinalSparsity"/> over <see cref="Steps"/> pruning steps as
/// s(t) = s_f + (s_i − s_f)·(1 − t/n)^p, pruning fast while many redundant weights remain and slowly at the end.
/// </summary>
/// <param name="InitialSparsity">Sparsity at step 0.</param>
/// <param name="FinalSparsity">Sparsity at step <see cref="Steps"/>.</param>
/// <param name="Steps">Number of prune-and-fine-tune rounds.</param>
/// <param name="Power">Exponent p (3: the cubic schedule).</param>
public sealed record PruningSchedule(double InitialSparsity, double FinalSparsity, int Steps, double Power = 3)
{
    /// <summary>Sparsity after round <paramref name="step"/> (0…Steps; clamped outside).</summary>
    /// <exception cref="ArgumentException">Sparsities outside [0, 1), a final below the initial, or Steps &lt; 1.</exception>
    public double At(int step)
    {
        if (Steps < 1 || !(InitialSparsity >= 0) || !(FinalSparsity < 1) || FinalSparsity < InitialSparsity)
            throw new ArgumentException($"PruningSchedule: need 0 ≤ initial ({InitialSparsity}) ≤ final ({FinalSparsity}) < 1 and steps ({Steps}) ≥ 1.");
        double t = Math.Clamp((double)step / Steps, 0, 1);
        return FinalSparsity + (InitialSparsity - FinalSparsity) * Math.Pow(1 - t, Power);
    }

    /// <summary>
    /// Iterative pruning: for rounds 1…Steps, prunes the model to <see cref="At"/>(round) (global or per layer, masks
    /// carried over), then calls <paramref name="fineTune"/> with the round and the masks (train some batches, calling
    /// <see cref="PruningMask.MaskGradients"/> before and <see cref="PruningMask.Apply"/> after each optimizer step).
    /// </summary>
    /// <returns>The final masks.</returns>
    public PruningMask Run(Module model, Action<int, PruningMask> fineTune, bool global = true)
    {
        PruningMask? mask = null;
        for (int round = 1; round <= Steps; round++)
        {
            double s = At(round);
            mask = global ? MagnitudePruning.Global(model, s, mask) : MagnitudePruning.PerLayer(model, s, mask);
            fineTune(round, mask);
            mask.Apply();
        }
        return mask!;
    }
}
