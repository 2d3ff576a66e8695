namespace Polymath.NN;

/// <summary>How a loss combines its per-element values (PyTorch's <c>reduction=</c> string).</summary>
public enum Reduction
{
    /// <summary>The mean of the per-element losses (weighted mean where a loss takes class weights). PyTorch's <c>'mean'</c>, the default.</summary>
    Mean,

    /// <summary>The sum of the per-element losses (<c>'sum'</c>).</summary>
    Sum,

    /// <summary>No reduction: one loss per element (<c>'none'</c>).</summary>
    None,

    /// <summary>The sum divided by the batch size (input dim 0); only <see cref="Losses.KLDiv"/> accepts it (<c>'batchmean'</c>).</summary>
    BatchMean,
}
