namespace Polymath.NN.Optim;

/// <summary>
/// Adagrad (PyTorch's <c>torch.optim.Adagrad</c>, same update): clr = lr / (1 + (t − 1)·lr_decay); s ← s + g²;
/// p ← p − clr·g/(√s + ε), with s starting at <c>initial_accumulator_value</c>. Group options: <c>lr</c>,
/// <c>lr_decay</c>, <c>weight_decay</c>, <c>initial_accumulator_value</c>, <c>eps</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/> (PyTorch's defaults).</summary>
    /// <exception cref="ArgumentException">A negative lr, lr_decay, weight decay, initial accumulator value or eps.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(parameters, Options(("lr", lr), ("lr_decay", lrDecay), ("weight_decay", weightDecay), ("initial_accumulator_value", initialAccumulatorValue), ("eps", eps)))
    {
    }

    /// <inheritdoc/>
    protected override void ValidateOptions(IReadOnlyDictionary<string, double> options)
    {
        base.ValidateOptions(options);
        Require(options, "lr_decay", v => v >= 0, ">= 0");
        Require(options, "initial_accumulator_value", v => v >= 0, ">= 0");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        double lr = group.Lr, lrDecay = group["lr_decay"], weightDecay = group["weight_decay"], eps = group["eps"];
        var sum = state.GetOrCreate("sum", param, group["initial_accumulator_value"]);
        long step = ++state.Step;
        if (weightDecay != 0)
            grad = grad.Add(param, weightDecay);
        double clr = lr / (1 + (step - 1) * lrDecay);
        sum.AddInPlace(grad.Square());
        var std = sum.Sqrt().AddInPlace(eps);
        param.AddInPlace(grad.Div(std), -clr);
    }
}
