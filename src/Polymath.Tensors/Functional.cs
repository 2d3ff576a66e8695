using System.Numerics;
using Polymath.Amp;

namespace Polymath;

/// <summary>
/// Stateless neural-network functions on tensors, as PyTorch's torch.nn.functional: convolution,
/// pooling, embedding, dropout, linear. Convolution and pooling are primitives with hand-written
/// backward rules (their kernels live in Kernels/Conv); the rest are composed.
/// </summary>
public static class Functional
{
    /// <summary>y = x Wᵀ + b for x [..., in], weight [out, in], bias [out].</summary>
    /// <remarks>
    /// A primitive rather than <c>x.MatMul(W.T) + b</c>: its backward writes dW = gᵀx straight in the weight's
    /// [out, in] layout. Through the composed form the weight gradient arrived as a transposed view, and summing
    /// one per use (an LSTM uses W_hh at every step) ran a strided, scalar add.
    /// </remarks>
    /// <exception cref="ArgumentException">The weight is not 2-D, or the input's last dim differs from in_features.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || input.Rank == 0 || input.Size(-1) != weight.Size(1))
            throw new ArgumentException($"linear: input {ShapeUtil.Format(input.ShapeSpan)} does not fit weight {ShapeUtil.Format(weight.ShapeSpan)} (expected input [..., {(weight.Rank == 2 ? weight.Size(1) : -1)}]).");
        int inFeatures = weight.Size(1), outFeatures = weight.Size(0);
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != outFeatures))
            throw new ArgumentException($"linear: bias must have shape [{outFeatures}], got {ShapeUtil.Format(bias.ShapeSpan)}.");
        if (Autocast.IsEnabled)
        {
            input = Autocast.Cast(input, "linear");
            weight = Autocast.Cast(weight, "linear");
            bias = bias is null ? null : Autocast.Cast(bias, "linear");
        }
        var x2 = input.Reshape(-1, inFeatures);
        Tensor y2;
        if (x2.DType.IsLowPrecision() && x2.DType == weight.DType)
        {
            // Product and bias added in float32, one rounding to 16 bits at the end.
            using (Tensor.NoGrad())
            {
                var y32 = x2.Detach().To(DType.Float32).MatMulCore(weight.Detach().To(DType.Float32).T);
                if (bias is not null)
                    y32.AddInPlace(bias.Detach());
                y2 = y32.To(x2.DType);
            }
        }
        else
        {
            using (Tensor.NoGrad())
            {
                y2 = x2.Detach().MatMul(weight.Detach().T);
                if (bias is not null)
                    y2.AddInPlace(bias.Detach());
            }
        }
        Tensor[] inputs = bias is null ? [x2, weight] : [x2, weight, bias];
        if (Tensor.Recording(inputs))
        {
            bool gx = x2.RequiresGrad, gw = weight.RequiresGrad, gb = bias?.RequiresGrad ?? false;
            var xs = x2.Detach();
            var ws = weight.Detach();
            y2.SetGradFn("AddmmBackward", inputs, [x2, weight], g =>
            {
                Tensor? dx = gx ? g.MatMul(ws) : null;
                Tensor? dw = gw ? g.T.MatMul(xs) : null;
                Tensor? db = gb ? g.Sum(0) : null;
                return bias is null ? [dx, dw] : [dx, dw, db];
            });
        }
        return input.Rank == 2 ? y2 : y2.Reshape([.. input.Shape[..^1], outFeatures]);
    }

    /// <summary>2-D convolution (cross-correlation) of input [N,C,H,W] (or [C,H,W]) with weight [Cout, C/groups, kH, kW].</summary>
    /// <exception cref="ArgumentException">Ranks, channel counts, groups or sizes do not fit (the message names the shapes).</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with separate height/width stride, padding and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        bool unbatched = input.Rank == 3;
        if (input.Rank is not (3 or 4) || weight.Rank != 4)
            throw new ArgumentException($"conv2d: expects input [N,C,H,W] or [C,H,W] and weight [Cout,Cin/groups,kH,kW], got input {ShapeUtil.Format(input.ShapeSpan)} and weight {ShapeUtil.Format(weight.ShapeSpan)}.");
        var x = unbatched ? input.Unsqueeze(0) : input;
        CheckBias(bias, weight.Size(0), "conv2d");
        if (Autocast.IsEnabled)
            (x, weight, bias) = (Autocast.Cast(x, "conv2d"), Autocast.Cast(weight, "conv2d"), bias is null ? null : Autocast.Cast(bias, "conv2d"));
        var (xs, ws) = (x.Shape, weight.Shape);
        var g = ConvGeometry.Conv2d(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3],
            stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        var y = Convolution("ConvolutionBackward", x, weight, bias, new Conv2dKernels(g), "conv2d");
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>1-D convolution of input [N,C,L] (or [C,L]) with weight [Cout, C/groups, K] (runs as a 2-D convolution of height 1).</summary>
    /// <exception cref="ArgumentException">Ranks, channel counts, groups or sizes do not fit (the message names conv1d and the shapes).</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        bool unbatched = input.Rank == 2;
        if (input.Rank is not (2 or 3) || weight.Rank != 3)
            throw new ArgumentException($"conv1d: expects input [N,C,L] or [C,L] and weight [Cout,Cin/groups,K], got input {ShapeUtil.Format(input.ShapeSpan)} and weight {ShapeUtil.Format(weight.ShapeSpan)}.");
        var x = unbatched ? input.Unsqueeze(0) : input;
        Tensor y;
        try
        {
            y = Conv2d(x.Unsqueeze(2), weight.Unsqueeze(2), bias, (1, stride), (0, padding), (1, dilation), groups).Squeeze(2);
        }
        catch (ArgumentException e) when (e.Message.StartsWith("conv2d: ", StringComparison.Ordinal))
        {
            // Report the caller's op and shapes, not those of the height-1 conv2d it runs as.
            throw new ArgumentException(
                $"conv1d: {e.Message["conv2d: ".Length..]} (conv1d input {ShapeUtil.Format(input.ShapeSpan)}, weight {ShapeUtil.Format(weight.ShapeSpan)}, " +
                $"stride {stride}, padding {padding}, dilation {dilation}, groups {groups}; run as conv2d of height 1.)", e);
        }
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>Transposed 2-D convolution of input [N,Cin,H,W] with weight [Cin, Cout/groups, kH, kW] (the gradient of conv2d).</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        bool unbatched = input.Rank == 3;
        if (input.Rank is not (3 or 4) || weight.Rank != 4)
            throw new ArgumentException($"conv_transpose2d: expects input [N,C,H,W] or [C,H,W] and weight [Cin,Cout/groups,kH,kW], got input {ShapeUtil.Format(input.ShapeSpan)} and weight {ShapeUtil.Format(weight.ShapeSpan)}.");
        var x = unbatched ? input.Unsqueeze(0) : input;
        var (xs, ws) = (x.Shape, weight.Shape);
        var g = ConvTranspose2dGeometry.Create(xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3],
            stride, stride, padding, padding, outputPadding, outputPadding, dilation, dilation, groups);
        CheckBias(bias, g.OutChannels, "conv_transpose2d");
        if (Autocast.IsEnabled)
            (x, weight, bias) = (Autocast.Cast(x, "conv_transpose2d"), Autocast.Cast(weight, "conv_transpose2d"), bias is null ? null : Autocast.Cast(bias, "conv_transpose2d"));
        var y = Convolution("ConvTranspose2dBackward", x, weight, bias, new ConvTranspose2dKernels(g), "conv_transpose2d");
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>The four kernels of one convolution flavour (conv2d or its transpose) for a fixed geometry.</summary>
    private interface IConvolutionKernels
    {
        int[] OutputShape { get; }

        void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

        void BackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T>;

        void BackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, Span<T> gw) where T : unmanaged, IFloatingPointIeee754<T>;

        void BackwardBias<T>(ReadOnlySpan<T> gy, Span<T> gb) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    private sealed class Conv2dKernels(ConvGeometry g) : IConvolutionKernels
    {
        public int[] OutputShape => [g.Batch, g.OutChannels, g.OutH, g.OutW];
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.Forward(g, x, w, bias, y);
        public void BackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.BackwardInput(g, gy, w, gx);
        public void BackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, Span<T> gw) where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.BackwardWeight(g, gy, x, gw);
        public void BackwardBias<T>(ReadOnlySpan<T> gy, Span<T> gb) where T : unmanaged, IFloatingPointIeee754<T> => Conv2dKernel.BackwardBias(g, gy, gb);
    }

    private sealed class ConvTranspose2dKernels(ConvTranspose2dGeometry g) : IConvolutionKernels
    {
        public int[] OutputShape => [g.Batch, g.OutChannels, g.OutH, g.OutW];
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => ConvTranspose2dKernel.Forward(g, x, w, bias, y);
        public void BackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, Span<T> gx) where T : unmanaged, IFloatingPointIeee754<T> => ConvTranspose2dKernel.BackwardInput(g, gy, w, gx);
        public void BackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, Span<T> gw) where T : unmanaged, IFloatingPointIeee754<T> => ConvTranspose2dKernel.BackwardWeight(g, gy, x, gw);
        public void BackwardBias<T>(ReadOnlySpan<T> gy, Span<T> gb) where T : unmanaged, IFloatingPointIeee754<T> => ConvTranspose2dKernel.BackwardBias(g, gy, gb);
    }

    // The convolution primitive: forward through the kernels, and a backward rule giving the input, weight and
    // bias gradients (each kernel overwrites its output, so nothing is zero-filled first). 16-bit operands run the
    // float32 kernels (im2col + float32 GEMM) on converted copies; the graph keeps the 16-bit tensors, converted
    // again in the backward, and the results are rounded to 16 bits once.
    private static Tensor Convolution(string name, Tensor x, Tensor w, Tensor? bias, IConvolutionKernels kernels, string op)
    {
        DType dt = FloatType(x, w, op);
        DType kt = dt.IsLowPrecision() ? DType.Float32 : dt;
        var xs = x.Detach().To(dt).Contiguous();
        var ws = w.Detach().To(dt).Contiguous();
        var xc = xs.To(kt);
        var wc = ws.To(kt);
        var bc = bias?.Detach().To(kt).Contiguous();
        var y = Tensor.Empty(kernels.OutputShape, kt);
        if (kt == DType.Float32) kernels.Forward(Span<float>(xc), Span<float>(wc), bc is null ? default : Span<float>(bc), MutableSpan<float>(y));
        else kernels.Forward(Span<double>(xc), Span<double>(wc), bc is null ? default : Span<double>(bc), MutableSpan<double>(y));
        KeepAlive(xc, wc, bc);
        if (dt != kt)
        {
            y = y.To(dt);
            xc = wc = null!; // the backward converts the 16-bit copies again instead of keeping float32 ones alive
        }
        Tensor[] inputs = bias is null ? [x, w] : [x, w, bias];
        if (!Tensor.Recording(inputs))
            return y;
        bool gx = x.RequiresGrad, gw = w.RequiresGrad, gb = bias?.RequiresGrad ?? false;
        int outChannels = y.Size(1);
        y.SetGradFn(name, inputs, [x, w], grad =>
        {
            var go = grad.To(kt).Contiguous();
            var xk = xc ?? xs.To(kt);
            var wk = wc ?? ws.To(kt);
            Tensor? dx = null, dw = null, db = null;
            if (gx)
            {
                dx = Tensor.Empty(xs.Shape, kt);
                if (kt == DType.Float32) kernels.BackwardInput(Span<float>(go), Span<float>(wk), MutableSpan<float>(dx));
                else kernels.BackwardInput(Span<double>(go), Span<double>(wk), MutableSpan<double>(dx));
            }
            if (gw)
            {
                dw = Tensor.Empty(ws.Shape, kt);
                if (kt == DType.Float32) kernels.BackwardWeight(Span<float>(go), Span<float>(xk), MutableSpan<float>(dw));
                else kernels.BackwardWeight(Span<double>(go), Span<double>(xk), MutableSpan<double>(dw));
            }
            if (gb)
            {
                db = Tensor.Empty([outChannels], kt);
                if (kt == DType.Float32) kernels.BackwardBias(Span<float>(go), MutableSpan<float>(db));
                else kernels.BackwardBias(Span<double>(go), MutableSpan<double>(db));
            }
            GC.KeepAlive(go);
            GC.KeepAlive(xk);
            GC.KeepAlive(wk);
            return bias is null ? [dx?.To(dt), dw?.To(dt)] : [dx?.To(dt), dw?.To(dt), db?.To(dt)];
        });
        return y;
    }

    /// <summary>
    /// Layer normalisation over the trailing dims <paramref name="normalizedShape"/>: (x − mean)/√(var + eps)·weight + bias,
    /// with the biased variance, as PyTorch. A fused primitive (one kernel forward, one backward).
    /// </summary>
    /// <exception cref="ArgumentException">The trailing dims of the input, or the weight/bias shapes, do not match normalizedShape.</exception>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        int k = normalizedShape.Length;
        bool fits = k > 0 && input.Rank >= k;
        for (int i = 0; fits && i < k; i++)
            fits = input.Size(input.Rank - k + i) == normalizedShape[i];
        if (!fits)
            throw new ArgumentException($"layer_norm: normalized_shape [{string.Join(",", normalizedShape)}] does not match the trailing dims of input {ShapeUtil.Format(input.ShapeSpan)}.");
        foreach (var (t, name) in new[] { (weight, "weight"), (bias, "bias") })
            if (t is not null && !t.Shape.SequenceEqual(normalizedShape))
                throw new ArgumentException($"layer_norm: {name} has shape {ShapeUtil.Format(t.ShapeSpan)}, expected [{string.Join(",", normalizedShape)}].");
        DType dt = KernelFloatType(input, input, "layer_norm");
        int n = normalizedShape.Aggregate(1, (a, b) => a * b);
        var x = input.Detach().To(dt).Contiguous();
        long rows = n == 0 ? 0 : x.Numel / n;
        var w = Exact(weight, dt);
        var b = Exact(bias, dt);
        var y = Tensor.Empty(x.Shape, dt);
        var mean = Tensor.Empty([(int)rows], dt);
        var rstd = Tensor.Empty([(int)rows], dt);
        if (dt == DType.Float32) LayerNormKernel.Forward(x.Data<float>(), x.StorageOffset, Own<float>(w), Own<float>(b), y.Data<float>(), mean.Data<float>(), rstd.Data<float>(), rows, n, eps);
        else LayerNormKernel.Forward(x.Data<double>(), x.StorageOffset, Own<double>(w), Own<double>(b), y.Data<double>(), mean.Data<double>(), rstd.Data<double>(), rows, n, eps);
        KeepAlive(x, mean, w);
        GC.KeepAlive(b);
        var inputs = new List<Tensor> { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (!Tensor.Recording(inputs.ToArray()))
            return y;
        bool gx = input.RequiresGrad, gw = weight?.RequiresGrad ?? false, gb = bias?.RequiresGrad ?? false;
        y.SetGradFn("NativeLayerNormBackward", inputs.ToArray(), [input], grad =>
        {
            var g = grad.To(dt).Contiguous();
            var dx = gx ? Tensor.Empty(x.Shape, dt) : null;
            var dw = gw ? Tensor.Empty([.. normalizedShape], dt) : null;
            var db = gb ? Tensor.Empty([.. normalizedShape], dt) : null;
            if (dt == DType.Float32)
                LayerNormKernel.Backward(x.Data<float>(), x.StorageOffset, Own<float>(w), g.Data<float>(), g.StorageOffset, mean.Data<float>(), rstd.Data<float>(), rows, n, dx?.Data<float>(), dw?.Data<float>(), db?.Data<float>());
            else
                LayerNormKernel.Backward(x.Data<double>(), x.StorageOffset, Own<double>(w), g.Data<double>(), g.StorageOffset, mean.Data<double>(), rstd.Data<double>(), rows, n, dx?.Data<double>(), dw?.Data<double>(), db?.Data<double>());
            GC.KeepAlive(g);
            var result = new List<Tensor?> { dx };
            if (weight is not null) result.Add(dw);
            if (bias is not null) result.Add(db);
            return result.ToArray();
        });
        return y;
    }

    // The kernels index weight and bias from 0: a tensor whose data is exactly its whole storage, copied if needed.
    private static Tensor? Exact(Tensor? t, DType dt)
    {
        if (t is null)
            return null;
        var c = t.Detach().To(dt).Contiguous();
        return c.StorageOffset == 0 && c.Storage.Length == c.Numel ? c : c.Clone();
    }

    private static T[]? Own<T>(Tensor? t) where T : unmanaged => t?.Data<T>();

    /// <summary>2-D max pooling; stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Output;

    /// <summary>2-D max pooling that also returns the flat per-plane index of each maximum (int64), as return_indices=True.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var x = Batched(input, "max_pool2d", out bool unbatched);
        var s = x.Shape;
        int st = stride ?? kernelSize;
        var g = Pool2dGeometry.MaxPool2d(s[0], s[1], s[2], s[3], kernelSize, kernelSize, st, st, padding, padding, dilation, dilation, ceilMode);
        DType dt = KernelFloatType(x, x, "max_pool2d");
        var xc = x.Detach().To(dt).Contiguous();
        var y = Tensor.Zeros([g.Batch, g.Channels, g.OutH, g.OutW], dt);
        var idx = Tensor.Zeros([g.Batch, g.Channels, g.OutH, g.OutW], DType.Int64);
        if (dt == DType.Float32) MaxPool2dKernel.Forward(g, Span<float>(xc), MutableSpan<float>(y), MutableSpan<long>(idx));
        else MaxPool2dKernel.Forward(g, Span<double>(xc), MutableSpan<double>(y), MutableSpan<long>(idx));
        GC.KeepAlive(xc);
        if (Tensor.Recording(x))
        {
            y.SetGradFn("MaxPool2dBackward", [x], [], grad =>
            {
                var go = grad.To(dt).Contiguous();
                var dx = Tensor.Zeros(xc.Shape, dt);
                if (dt == DType.Float32) MaxPool2dKernel.Backward(g, Span<float>(go), Span<long>(idx), MutableSpan<float>(dx));
                else MaxPool2dKernel.Backward(g, Span<double>(go), Span<long>(idx), MutableSpan<double>(dx));
                GC.KeepAlive(go);
                return [dx];
            });
        }
        return unbatched ? (y.Squeeze(0), idx.Squeeze(0)) : (y, idx);
    }

    /// <summary>2-D average pooling; stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        var x = Batched(input, "avg_pool2d", out bool unbatched);
        var s = x.Shape;
        int st = stride ?? kernelSize;
        if (divisorOverride is <= 0)
            throw new ArgumentException($"avg_pool2d: divisorOverride must be positive, got {divisorOverride}.");
        var g = Pool2dGeometry.AvgPool2d(s[0], s[1], s[2], s[3], kernelSize, kernelSize, st, st, padding, padding, ceilMode);
        DType dt = KernelFloatType(x, x, "avg_pool2d");
        var xc = x.Detach().To(dt).Contiguous();
        var y = Tensor.Zeros([g.Batch, g.Channels, g.OutH, g.OutW], dt);
        int div = divisorOverride ?? 0;
        if (dt == DType.Float32) AvgPool2dKernel.Forward(g, Span<float>(xc), MutableSpan<float>(y), countIncludePad, div);
        else AvgPool2dKernel.Forward(g, Span<double>(xc), MutableSpan<double>(y), countIncludePad, div);
        GC.KeepAlive(xc);
        if (Tensor.Recording(x))
        {
            y.SetGradFn("AvgPool2dBackward", [x], [], grad =>
            {
                var go = grad.To(dt).Contiguous();
                var dx = Tensor.Zeros(xc.Shape, dt);
                if (dt == DType.Float32) AvgPool2dKernel.Backward(g, Span<float>(go), MutableSpan<float>(dx), countIncludePad, div);
                else AvgPool2dKernel.Backward(g, Span<double>(go), MutableSpan<double>(dx), countIncludePad, div);
                GC.KeepAlive(go);
                return [dx];
            });
        }
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>Average pooling to a fixed output size (oH, oW), with PyTorch's window rule.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, (int H, int W) outputSize)
    {
        var x = Batched(input, "adaptive_avg_pool2d", out bool unbatched);
        var s = x.Shape;
        AdaptiveAvgPool2dKernel.Validate(s[0], s[1], s[2], s[3], outputSize.H, outputSize.W);
        DType dt = KernelFloatType(x, x, "adaptive_avg_pool2d");
        var xc = x.Detach().To(dt).Contiguous();
        var y = Tensor.Zeros([s[0], s[1], outputSize.H, outputSize.W], dt);
        if (dt == DType.Float32) AdaptiveAvgPool2dKernel.Forward(Span<float>(xc), s[0], s[1], s[2], s[3], outputSize.H, outputSize.W, MutableSpan<float>(y));
        else AdaptiveAvgPool2dKernel.Forward(Span<double>(xc), s[0], s[1], s[2], s[3], outputSize.H, outputSize.W, MutableSpan<double>(y));
        GC.KeepAlive(xc);
        if (Tensor.Recording(x))
        {
            y.SetGradFn("AdaptiveAvgPool2dBackward", [x], [], grad =>
            {
                var go = grad.To(dt).Contiguous();
                var dx = Tensor.Zeros(xc.Shape, dt);
                if (dt == DType.Float32) AdaptiveAvgPool2dKernel.Backward(Span<float>(go), s[0], s[1], s[2], s[3], outputSize.H, outputSize.W, MutableSpan<float>(dx));
                else AdaptiveAvgPool2dKernel.Backward(Span<double>(go), s[0], s[1], s[2], s[3], outputSize.H, outputSize.W, MutableSpan<double>(dx));
                GC.KeepAlive(go);
                return [dx];
            });
        }
        return unbatched ? y.Squeeze(0) : y;
    }

    /// <summary>Rows of <paramref name="weight"/> [num, dim] picked by int64 <paramref name="indices"/> of any shape; the padding row gets no gradient.</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, num).</exception>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        if (indices.DType != DType.Int64)
            throw new ArgumentException($"embedding: indices must be int64, got {indices.DType.Name()}.");
        if (weight.Rank != 2)
            throw new ArgumentException($"embedding: weight must be 2-D [num_embeddings, embedding_dim], got {ShapeUtil.Format(weight.ShapeSpan)}.");
        var flat = indices.Reshape(-1);
        var rows = weight.IndexSelect(0, flat);
        if (paddingIdx is int p && weight.RequiresGrad)
            rows = Tensor.Where(flat.Eq(p < 0 ? p + weight.Size(0) : p).Unsqueeze(1), rows.Detach(), rows);
        return rows.Reshape([.. indices.Shape, weight.Size(1)]);
    }

    /// <summary>Zeroes each element with probability p and scales the rest by 1/(1−p) while training; identity otherwise.</summary>
    /// <exception cref="ArgumentException">p outside [0, 1].</exception>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentException($"dropout: probability must be in [0, 1], got {p}.");
        if (!training || p == 0)
            return input;
        if (p == 1)
            return input * 0.0;
        var keep = Tensor.Bernoulli(input.Shape, 1 - p, input.DType, generator);
        return input * keep.Mul(1.0 / (1 - p));
    }

    private static Tensor Batched(Tensor input, string op, out bool unbatched)
    {
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: expects input [N,C,H,W] or [C,H,W], got {ShapeUtil.Format(input.ShapeSpan)}.");
        unbatched = input.Rank == 3;
        return unbatched ? input.Unsqueeze(0) : input;
    }

    private static void CheckBias(Tensor? bias, int channels, string op)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != channels))
            throw new ArgumentException($"{op}: bias must have shape [{channels}], got {ShapeUtil.Format(bias.ShapeSpan)}.");
    }

    // The dtype a kernel-only op (layer norm, pooling) runs and returns: 16-bit inputs compute in float32.
    private static DType KernelFloatType(Tensor a, Tensor b, string op)
    {
        DType dt = FloatType(a, b, op);
        return dt.IsLowPrecision() ? DType.Float32 : dt;
    }

    private static DType FloatType(Tensor a, Tensor b, string op)
    {
        DType dt = DTypes.Promote(a.DType, b.DType);
        return dt.IsFloatingPoint() ? dt : throw new ArgumentException($"{op}: expects floating tensors, got {a.DType.Name()} and {b.DType.Name()}.");
    }

    // Pooled arrays go back to the pool when their storage dies; spans taken from a temporary tensor
    // need that tensor kept alive until the kernel that reads them has finished.
    private static void KeepAlive(Tensor a, Tensor b, Tensor? c)
    {
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(c);
    }

    private static ReadOnlySpan<T> Span<T>(Tensor t) where T : unmanaged => t.Data<T>().AsSpan(t.StorageOffset, (int)t.Numel);

    private static Span<T> MutableSpan<T>(Tensor t) where T : unmanaged => t.Data<T>().AsSpan(t.StorageOffset, (int)t.Numel);
}
