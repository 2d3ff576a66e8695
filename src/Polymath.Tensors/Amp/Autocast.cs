namespace Polymath.Amp;

/// <summary>What autocast does to the floating inputs of one kind of op.</summary>
public enum CastPolicy
{
    /// <summary>Float32 inputs are cast to the autocast dtype (matmul, linear, convolution).</summary>
    LowPrecision,
    /// <summary>16-bit inputs are cast up to float32 (softmax, log-softmax, layer norm, reductions, losses).</summary>
    Float32,
    /// <summary>Inputs are left as they are and promoted as usual (elementwise ops, views, pooling).</summary>
    Promote,
}

/// <summary>
/// Automatic mixed precision, as torch.autocast: inside <c>using (Autocast.Enable(DType.BFloat16))</c> the ops in
/// <see cref="Policy"/> run in the 16-bit type (matmul, linear, conv: their float32 weights are cast per call, so the
/// float32 master weights stay untouched and receive float32 gradients through the cast) and the numerically
/// sensitive ones run in float32. Per thread; scopes nest and restore the previous state on dispose. When no scope
/// is active an op pays one thread-static read.
/// </summary>
public static class Autocast
{
    [ThreadStatic] private static DType t_dtype; // Bool (the default value) means "off"

    /// <summary>The per-op policy table (op name as PyTorch spells it → what autocast does to its inputs).</summary>
    public static IReadOnlyDictionary<string, CastPolicy> Policy { get; } = new Dictionary<string, CastPolicy>
    {
        ["matmul"] = CastPolicy.LowPrecision,
        ["linear"] = CastPolicy.LowPrecision,
        ["conv1d"] = CastPolicy.LowPrecision,
        ["conv2d"] = CastPolicy.LowPrecision,
        ["conv_transpose2d"] = CastPolicy.LowPrecision,
        ["softmax"] = CastPolicy.Float32,
        ["log_softmax"] = CastPolicy.Float32,
        ["layer_norm"] = CastPolicy.Float32,
        ["sum"] = CastPolicy.Float32,
        ["mean"] = CastPolicy.Float32,
        ["cross_entropy"] = CastPolicy.Float32,
        ["nll_loss"] = CastPolicy.Float32,
        ["mse_loss"] = CastPolicy.Float32,
        ["binary_cross_entropy_with_logits"] = CastPolicy.Float32,
    };

    /// <summary>True inside an <see cref="Enable"/> scope on this thread.</summary>
    public static bool IsEnabled => t_dtype != DType.Bool;

    /// <summary>The 16-bit type of the active scope (only meaningful when <see cref="IsEnabled"/>).</summary>
    public static DType DType => t_dtype;

    /// <summary>Starts an autocast scope in <paramref name="dtype"/> (BFloat16 or Float16) on this thread.</summary>
    /// <exception cref="ArgumentException">dtype is not a 16-bit floating type.</exception>
    public static AutocastScope Enable(DType dtype = DType.BFloat16)
    {
        if (!dtype.IsLowPrecision())
            throw new ArgumentException($"autocast: dtype must be bfloat16 or float16, got {dtype.Name()}.");
        return new AutocastScope(dtype);
    }

    /// <summary>A scope in which autocast is off (e.g. for a float32 evaluation inside a training step).</summary>
    public static AutocastScope Disable() => new(DType.Bool);

    /// <summary>A scope that keeps the current state (for code that opens a scope only sometimes).</summary>
    public static AutocastScope Current => new(t_dtype);

    /// <summary>The policy for <paramref name="op"/>; ops not in the table follow their inputs.</summary>
    public static CastPolicy PolicyFor(string op) => Policy.TryGetValue(op, out var p) ? p : CastPolicy.Promote;

    internal static DType Swap(DType dtype)
    {
        var previous = t_dtype;
        t_dtype = dtype;
        return previous;
    }

    /// <summary>
    /// The input as the op named <paramref name="op"/> should see it under the active scope: cast (recorded, so
    /// gradients flow back in the input's own dtype) or unchanged. Non-floating tensors are never cast.
    /// </summary>
    public static Tensor Cast(Tensor t, string op)
    {
        if (!IsEnabled || !t.DType.IsFloatingPoint())
            return t;
        return PolicyFor(op) switch
        {
            CastPolicy.LowPrecision when t.DType == DType.Float32 => t.To(t_dtype),
            CastPolicy.Float32 when t.DType.IsLowPrecision() => t.To(DType.Float32),
            _ => t,
        };
    }
}

/// <summary>An autocast scope; disposing restores the state that was in force when it began.</summary>
public readonly struct AutocastScope : IDisposable
{
    private readonly DType _previous;

    internal AutocastScope(DType dtype) => _previous = Autocast.Swap(dtype);

    /// <summary>Restores the previous autocast state.</summary>
    public void Dispose() => Autocast.Swap(_previous);
}
