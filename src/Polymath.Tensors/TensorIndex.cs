namespace Polymath;

/// <summary>
/// One entry of a tensor index, as in PyTorch's <c>x[0, 1:5:2, ..., None]</c>: an integer (selects and
/// drops the dim), a range/slice with optional step, <see cref="Ellipsis"/>, <see cref="NewAxis"/>, or an int64
/// index tensor (selects along the dim). Built implicitly from int, <see cref="System.Range"/> and Tensor.
/// </summary>
public readonly struct TensorIndex
{
    internal enum Kind { Integer, Slice, Ellipsis, NewAxis, Tensor }

    internal readonly Kind IndexKind;
    internal readonly long Start;
    internal readonly long? End;
    internal readonly long Step;
    internal readonly Index? RangeStart;
    internal readonly Index? RangeEnd;
    internal readonly Tensor? Indices;

    private TensorIndex(Kind kind, long start = 0, long? end = null, long step = 1, Index? rangeStart = null, Index? rangeEnd = null, Tensor? indices = null)
    {
        IndexKind = kind;
        Start = start;
        End = end;
        Step = step;
        RangeStart = rangeStart;
        RangeEnd = rangeEnd;
        Indices = indices;
    }

    /// <summary>All remaining dims (<c>...</c>).</summary>
    public static TensorIndex Ellipsis => new(Kind.Ellipsis);

    /// <summary>Inserts a new dim of size 1 (<c>None</c>).</summary>
    public static TensorIndex NewAxis => new(Kind.NewAxis);

    /// <summary>A slice start:end:step; negative start/end count from the end; null end means the end of the dim.</summary>
    public static TensorIndex Slice(long start, long? end = null, long step = 1) => new(Kind.Slice, start, end, step);

    /// <summary>Selects index i (negative counts from the end) and drops the dim.</summary>
    public static implicit operator TensorIndex(int i) => new(Kind.Integer, i);

    /// <summary>Selects index i (negative counts from the end) and drops the dim.</summary>
    public static implicit operator TensorIndex(long i) => new(Kind.Integer, i);

    /// <summary>A C# range such as <c>1..^1</c> or <c>..</c> (step 1).</summary>
    public static implicit operator TensorIndex(Range r) => new(Kind.Slice, rangeStart: r.Start, rangeEnd: r.End);

    /// <summary>An int64 tensor of indices into the dim.</summary>
    public static implicit operator TensorIndex(Tensor indices) => new(Kind.Tensor, indices: indices);
}
