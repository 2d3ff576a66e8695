namespace Polymath.NN.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay
/// (PyTorch's <c>torch.optim.SGD</c>, same update): g ← g + wd·p; b ← μ·b + (1 − τ)·g (b = g on the first step);
/// g ← g + μ·b with Nesterov, else g ← b; p ← p − lr·g.
/// Group options: <c>lr</c>, <c>momentum</c>, <c>dampening</c>, <c>weight_decay</c>.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A negative lr, momentum or weight decay, or Nesterov without momentum or with dampening.</exception>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, Options(("lr", lr), ("momentum", momentum), ("dampening", dampening), ("weight_decay", weightDecay), ("nesterov", nesterov ? 1 : 0)))
    {
    }

    /// <inheritdoc/>
    protected override void ValidateOptions(IReadOnlyDictionary<string, double> options)
    {
        base.ValidateOptions(options);
        Require(options, "momentum", v => v >= 0, ">= 0");
        if (options.GetValueOrDefault("nesterov") != 0 && (options.GetValueOrDefault("momentum") <= 0 || options.GetValueOrDefault("dampening") != 0))
            throw new ArgumentException($"SGD: Nesterov momentum requires a momentum > 0 and zero dampening (momentum {options.GetValueOrDefault("momentum")}, dampening {options.GetValueOrDefault("dampening")}).");
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor param, Tensor grad, ParamState state)
    {
        double lr = group.Lr, momentum = group["momentum"], dampening = group["dampening"], weightDecay = group["weight_decay"];
        var d = weightDecay != 0 ? grad.Add(param, weightDecay) : grad;
        if (momentum != 0)
        {
            var buf = state.Get("momentum_buffer");
            if (buf is null)
                state.GetOrCreate("momentum_buffer", param).CopyFrom(d);
            else
                buf.MulInPlace(momentum).AddInPlace(d, 1 - dampening);
            buf = state.Get("momentum_buffer")!;
            d = group["nesterov"] != 0 ? d.Add(buf, momentum) : buf;
        }
        state.Step++;
        param.AddInPlace(d, -lr);
    }
}
