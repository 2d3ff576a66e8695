namespace Polymath.Autograd;

/// <summary>
/// The backward of a strided slice (slice, narrow, select, split, chunk, indexing). Its gradient is the incoming
/// gradient placed in the sliced positions of a zero tensor of the input's shape. The engine asks it to add
/// straight into the input's gradient buffer when that buffer is its own, so k slices of one tensor (the gates
/// of an LSTM step, the steps of a sequence) cost one zero-fill in total instead of one each.
/// </summary>
internal sealed class SliceNode(Node? next, int[] inputShape, DType dtype, int dim, long start, int length, long step)
    : Node("SliceBackward", [next], null)
{
    /// <summary>A zero tensor of the input's shape with the gradient in the slice.</summary>
    internal override Tensor?[] Apply(Tensor grad)
    {
        var full = Tensor.Zeros(inputShape, dtype);
        AddInto(full, grad);
        return [full];
    }

    /// <summary>Adds <paramref name="grad"/> into the sliced positions of <paramref name="full"/> (the input's gradient buffer).</summary>
    internal void AddInto(Tensor full, Tensor grad) => full.Slice(dim, start, start + (long)length * step, step).AddInPlace(grad);

    internal override void Release()
    {
        // Nothing saved: a second backward through a slice is fine, as in PyTorch.
    }
}
