namespace Polymath;

/// <summary>
/// The flat buffer behind one or more tensors. Views share a storage; the version counter is
/// bumped by every in-place write so autograd can detect saved tensors that were overwritten.
/// </summary>
internal abstract class Storage
{
    public int Version;

    public abstract int Length { get; }

    public abstract DType DType { get; }

    public abstract Array Array { get; }

    public static Storage Allocate(DType dtype, long length, bool zeroed)
    {
        if (length > Array.MaxLength)
            throw new OutOfMemoryException($"A tensor of {length} elements is larger than a .NET array allows ({Array.MaxLength}).");
        int n = (int)length;
        if (BufferPool.Enabled && BufferPool.IsPooledSize(length * dtype.ElementSize()))
        {
            return dtype switch
            {
                DType.Float32 => PooledStorage<float>.Create(n, zeroed),
                DType.Float64 => PooledStorage<double>.Create(n, zeroed),
                DType.Int64 => PooledStorage<long>.Create(n, zeroed),
                DType.Bool => PooledStorage<bool>.Create(n, zeroed: true),
                DType.BFloat16 => PooledStorage<BFloat16>.Create(n, zeroed),
                DType.Float16 => PooledStorage<Half>.Create(n, zeroed),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
            };
        }
        return dtype switch
        {
            DType.Float32 => new Storage<float>(zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n)),
            DType.Float64 => new Storage<double>(zeroed ? new double[n] : GC.AllocateUninitializedArray<double>(n)),
            DType.Int64 => new Storage<long>(zeroed ? new long[n] : GC.AllocateUninitializedArray<long>(n)),
            DType.Bool => new Storage<bool>(new bool[n]),
            DType.BFloat16 => new Storage<BFloat16>(zeroed ? new BFloat16[n] : GC.AllocateUninitializedArray<BFloat16>(n)),
            DType.Float16 => new Storage<Half>(zeroed ? new Half[n] : GC.AllocateUninitializedArray<Half>(n)),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
    }
}

internal class Storage<T>(T[] data) : Storage where T : unmanaged
{
    public readonly T[] Data = data;

    public override int Length => Data.Length;

    public override DType DType => DTypes.Of<T>();

    public override Array Array => Data;
}

/// <summary>A storage whose array goes back to <see cref="BufferPool"/> when the GC finds it dead.</summary>
internal sealed class PooledStorage<T> : Storage<T> where T : unmanaged
{
    private PooledStorage(T[] data) : base(data)
    {
    }

    public static PooledStorage<T> Create(int length, bool zeroed) => new(BufferPool.Rent<T>(length, zeroed));

    ~PooledStorage() => BufferPool.Return(Data);
}
