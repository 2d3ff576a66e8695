using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Polymath.Data.Tests;

/// <summary>BF16 and F16 entries: written as their raw little-endian bits under the format's dtype names, ordered as the
/// Rust crate orders dtypes (… F32 &gt; BF16 &gt; F16 &gt; BOOL), and read back either unconverted or as float32.</summary>
public class SafeTensors16BitTests
{
    [Fact]
    public void WritesRawBitsAndReadsThemBack()
    {
        var values = new[] { 1f, -2.5f, 3.140625f, 65504f, float.NegativeInfinity, 1e-7f };
        var bf = Tensor.From(values, 2, 3).To(DType.BFloat16);
        var f16 = Tensor.From(values, 2, 3).To(DType.Float16);
        var tensors = new Dictionary<string, Tensor> { ["a_mask"] = Tensor.From([true], 1), ["b16"] = bf, ["h16"] = f16, ["z32"] = Tensor.From([0.5f], 1) };
        var bytes = SafeTensors.Serialize(tensors);
        long headerLen = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLen);
        Assert.Contains("\"b16\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[4,16]}", header);
        Assert.Contains("\"h16\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[16,28]}", header);
        Assert.True(header.IndexOf("z32", StringComparison.Ordinal) < header.IndexOf("b16", StringComparison.Ordinal));
        Assert.True(header.IndexOf("h16", StringComparison.Ordinal) < header.IndexOf("a_mask", StringComparison.Ordinal));
        int data = 8 + (int)headerLen;
        var bfBits = bf.ToArray<BFloat16>();
        var hBits = f16.ToArray<Half>();
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(bfBits[i].Bits, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(data + 4 + 2 * i)));
            Assert.Equal(BitConverter.HalfToUInt16Bits(hBits[i]), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(data + 16 + 2 * i)));
        }

        string path = Path.Combine(Path.GetTempPath(), $"polymath-16bit-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, bytes);
            using var file = SafeTensorsFile.Open(path);
            var b = file.GetTensor("b16", keep16Bit: true);
            var h = file.GetTensor("h16", keep16Bit: true);
            Assert.Equal(DType.BFloat16, b.DType);
            Assert.Equal(DType.Float16, h.DType);
            Assert.Equal(new[] { 2, 3 }, b.Shape);
            Assert.Equal(bfBits, b.ToArray<BFloat16>());
            Assert.Equal(hBits, h.ToArray<Half>());
            var asFloat = file.GetTensor("b16");
            Assert.Equal(DType.Float32, asFloat.DType);
            Assert.Equal(bf.ToDoubleArray(), asFloat.ToDoubleArray());
            Assert.Equal(DType.Float32, file.GetTensor("z32", keep16Bit: true).DType);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
