namespace Polymath.Data;

/// <summary>The contents of one CIFAR binary batch file.</summary>
/// <param name="Images">Pixels, N × 3072 bytes: for each image 1024 red, 1024 green, then 1024 blue bytes (32×32 row-major).</param>
/// <param name="Labels">Class per image (CIFAR-10: 0..9; CIFAR-100: the fine label 0..99).</param>
/// <param name="CoarseLabels">CIFAR-100 superclass per image (0..19); null for CIFAR-10.</param>
public sealed record CifarBatch(byte[] Images, long[] Labels, long[]? CoarseLabels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The images as float32 [N, 3, 32, 32], scaled to [0, 1] when <paramref name="scale"/> is true.</summary>
    public Tensor ImagesTensor(bool scale = true)
    {
        var f = new float[Images.Length];
        float k = scale ? 1f / 255f : 1f;
        for (int i = 0; i < f.Length; i++) f[i] = Images[i] * k;
        return Tensor.Wrap(f, Count, 3, 32, 32);
    }
}

/// <summary>
/// Reads the binary versions of CIFAR-10 (<c>data_batch_1.bin</c> … <c>test_batch.bin</c>: records of 1 label
/// byte + 3072 pixel bytes) and CIFAR-100 (<c>train.bin</c>, <c>test.bin</c>: coarse label, fine label, 3072 bytes).
/// </summary>
public static class Cifar
{
    /// <summary>Bytes of pixels per image (3 × 32 × 32).</summary>
    public const int ImageBytes = 3072;

    /// <summary>Reads a CIFAR-10 binary batch.</summary>
    /// <exception cref="InvalidDataException">The length is not a whole number of 3073-byte records, or a label is above 9;
    /// the message names the file and the offset.</exception>
    public static CifarBatch ReadCifar10(string path) => Read(path, labelBytes: 1);

    /// <summary>Reads a CIFAR-100 binary file.</summary>
    /// <exception cref="InvalidDataException">The length is not a whole number of 3074-byte records, or a label is out of range;
    /// the message names the file and the offset.</exception>
    public static CifarBatch ReadCifar100(string path) => Read(path, labelBytes: 2);

    private static CifarBatch Read(string path, int labelBytes)
    {
        var data = File.ReadAllBytes(path);
        int record = labelBytes + ImageBytes;
        string kind = labelBytes == 1 ? "CIFAR-10" : "CIFAR-100";
        if (data.Length == 0)
            throw new InvalidDataException($"{path}: offset 0: empty file; a {kind} batch holds {record}-byte records.");
        if (data.Length % record != 0)
        {
            long lastStart = data.Length / record * (long)record;
            throw new InvalidDataException($"{path}: offset {lastStart}: truncated or wrong format: {data.Length} bytes is not a whole number of {record}-byte {kind} records " +
                $"({data.Length / record} whole records, then {data.Length - lastStart} bytes of an incomplete one).");
        }
        int n = data.Length / record;
        var images = GC.AllocateUninitializedArray<byte>(n * ImageBytes);
        var labels = new long[n];
        var coarse = labelBytes == 2 ? new long[n] : null;
        for (int i = 0; i < n; i++)
        {
            int off = i * record;
            if (labelBytes == 1)
            {
                labels[i] = data[off];
                if (labels[i] > 9)
                    throw new InvalidDataException($"{path}: offset {off}: record {i} has label {labels[i]}; CIFAR-10 labels are 0..9.");
            }
            else
            {
                coarse![i] = data[off];
                labels[i] = data[off + 1];
                if (coarse[i] > 19)
                    throw new InvalidDataException($"{path}: offset {off}: record {i} has coarse label {coarse[i]}; CIFAR-100 coarse labels are 0..19.");
                if (labels[i] > 99)
                    throw new InvalidDataException($"{path}: offset {off + 1}: record {i} has fine label {labels[i]}; CIFAR-100 fine labels are 0..99.");
            }
            Buffer.BlockCopy(data, off + labelBytes, images, i * ImageBytes, ImageBytes);
        }
        return new CifarBatch(images, labels, coarse);
    }
}
