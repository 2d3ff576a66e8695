using Polymath.NN;

namespace Polymath.Physics.Learning;

/// <summary>What <see cref="PhaseLearning.Run"/> found at one system size.</summary>
/// <param name="Size">L or n.</param>
/// <param name="Grid">The parameter values, ascending.</param>
/// <param name="MeanOutput">The networks' mean output (probability of disordered) at each.</param>
/// <param name="MeanOutputError">Standard error of each mean over the samples.</param>
/// <param name="Crossing">Where the mean output crosses 1/2, with the combined error.</param>
/// <param name="BootstrapError">Part of the error from resampling the evaluation data.</param>
/// <param name="NetworkError">Part of the error from the spread of the single networks (their standard error).</param>
/// <param name="NetworkCrossings">Each network's own crossing.</param>
/// <param name="TrainingAccuracy">Accuracy of the ensemble on its training samples.</param>
/// <param name="FinalLoss">Mean training loss of the last epoch, averaged over networks.</param>
/// <param name="Network">The first network, for publishing its weights.</param>
/// <param name="NetworkMeanOutputs">
/// Each network's own mean output at every grid value ([network][grid]); the ensemble's <paramref name="MeanOutput"/> is
/// their average. Empty when unknown. <see cref="DataCollapse.FitEnsemble"/> leaves one network out at a time with them.
/// </param>
public sealed record PhaseSizeResult(int Size, double[] Grid, double[] MeanOutput, double[] MeanOutputError, Estimate Crossing,
    double BootstrapError, double NetworkError, double[] NetworkCrossings, double TrainingAccuracy, double FinalLoss, Sequential Network,
    double[][]? NetworkMeanOutputs = null)
{
    /// <summary>Each network's mean output per grid value (empty when not recorded).</summary>
    public double[][] NetworkMeanOutputs { get; init; } = NetworkMeanOutputs ?? [];
}

/// <summary>Every size and the extrapolation of their crossings.</summary>
/// <param name="Sizes">Per-size results, ascending.</param>
/// <param name="FixedNu">Fit with ν = 1 (null with one size).</param>
/// <param name="FreeNu">Fit with ν free (null with fewer than four sizes).</param>
public sealed record PhaseStudyResult(IReadOnlyList<PhaseSizeResult> Sizes, FiniteSizeFit? FixedNu, FiniteSizeFit? FreeNu);
