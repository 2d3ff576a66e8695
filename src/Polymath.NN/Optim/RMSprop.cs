namespace Polymath.NN.Optim;

/// <summary>
/// RMSprop (PyTorch's <c>torch.optim.RMSprop</c>, same update): s ← α·s + (1 − α)·g²; with <c>centered</c> the running
/// mean ḡ of g is kept and the denominator is √(s − ḡ²) + ε, else √s + ε; with momentum μ, b ← μ·b + g/denom and
/// p ← p − lr·b, else p ← p − lr·g/denom. Group options: <c>lr</c>, <c>alpha</c>, <c>eps</c>, <c>weight_decay</c>,
/// <c>momentum</c>, <c>centered</c> (0 or 1).
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/> (PyTorch's defaults).</summary>
    /// <exception cref="ArgumentException">A negative lr, alpha, eps, momentum or weight decay.</exception>
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(parameters, Options(("lr", lr), ("alpha", alpha), ("eps", eps), ("weight_decay", weightDecay), ("momentum", momentum), ("centered", centered ? 1 : 0)))
    {
    }

    /// <inheritdoc/>
    protected override void ValidateOptions(IReadOnlyDictionary<string, double> options)
    {
        base.ValidateOptions(options);
        Require(options, "alpha", v => v >= 0, ">= 0");
        Require(options, "momentum", v => v >= 0, ">= 0");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        double lr = group.Lr, alpha = group["alpha"], eps = group["eps"], weightDecay = group["weight_decay"], momentum = group["momentum"];
        state.Step++;
        if (weightDecay != 0)
            grad = grad.Add(param, weightDecay);
        var squareAvg = state.GetOrCreate("square_avg", param);
        squareAvg.MulInPlace(alpha).AddInPlace(grad.Square(), 1 - alpha);
        Tensor avg;
        if (group["centered"] != 0)
        {
            var gradAvg = state.GetOrCreate("grad_avg", param);
            gradAvg.MulInPlace(alpha).AddInPlace(grad, 1 - alpha);
            avg = (squareAvg - gradAvg.Square()).SqrtInPlace();
        }
        else
            avg = squareAvg.Sqrt();
        avg.AddInPlace(eps);
        if (momentum > 0)
        {
            var buf = state.GetOrCreate("momentum_buffer", param);
            buf.MulInPlace(momentum).AddInPlace(grad.Div(avg));
            param.AddInPlace(buf, -lr);
        }
        else
            param.AddInPlace(grad.Div(avg), -lr);
    }
}
