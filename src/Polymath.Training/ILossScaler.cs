namespace Polymath.Training;

/// <summary>
/// Loss scaling for mixed-precision training, as the <see cref="Trainer"/> drives it (implemented by
/// <c>Polymath.Scale.Amp.GradScaler</c>): the loss is multiplied by a scale before backward so small float16
/// gradients do not flush to zero; before the step the gradients are divided by it again and checked.
/// </summary>
public interface ILossScaler
{
    /// <summary>The loss multiplied by the current scale (the tensor to call Backward on).</summary>
    Tensor Scale(Tensor loss);

    /// <summary>Divides the optimizer's gradients by the scale in place (at most once per step; needed before clipping).</summary>
    void Unscale(Optimizer optimizer);

    /// <summary>Unscales if not done yet, then steps the optimizer unless a gradient is Inf or NaN. True when it stepped.</summary>
    bool Step(Optimizer optimizer);

    /// <summary>Adjusts the scale after a step (backs off after a skipped step, grows after a run of good ones).</summary>
    void Update();
}
