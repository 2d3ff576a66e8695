using System.Buffers.Binary;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class SafeTensorsTests(ITestOutputHelper output)
{
    /// <summary>The tensors of Fixtures/make_safetensors_fixtures.py's ENGINE table.</summary>
    private static Dictionary<string, Tensor> EngineTensors() => new()
    {
        ["encoder.layers.0.attn.qkv.weight"] = Tensor.From(Enumerable.Range(0, 6).Select(i => 0.5f * i - 1.25f).ToArray(), 2, 3),
        ["encoder.layers.0.attn.qkv.bias"] = Tensor.From([1f, -2f, 3.5f], 3),
        ["embed.weight"] = Tensor.From([1.0 / 3, -2.5, 1e-300, 6.02e23], 2, 2),
        ["step"] = Tensor.Scalar(123456789012, DType.Int64),
        ["position_ids"] = Tensor.From([0L, 1, 2, -3], 1, 4),
        ["mask"] = Tensor.From([true, false, false, true], 4),
        ["empty"] = Tensor.Zeros(0, 3),
        ["grüße \"quoted\""] = Tensor.From([7f], 1),
    };

    private static readonly Dictionary<string, string> EngineMetadata = new() { ["source"] = "make_safetensors_fixtures.py", ["format"] = "pt" };

    [Fact]
    public void WritesTheFixtureByteForByte()
    {
        var expected = File.ReadAllBytes(TestData.Fixture("engine_dtypes.safetensors"));
        var actual = SafeTensors.Serialize(EngineTensors(), EngineMetadata);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected, actual);
        using var dir = new TempDir();
        SafeTensors.Save(dir.File("out.safetensors"), EngineTensors(), EngineMetadata);
        Assert.Equal(expected, File.ReadAllBytes(dir.File("out.safetensors")));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsTheFixture(bool memoryMap)
    {
        using var file = SafeTensorsFile.Open(TestData.Fixture("engine_dtypes.safetensors"), memoryMap);
        Assert.Equal(memoryMap, file.IsMemoryMapped);
        Assert.Equal("pt", file.Metadata["format"]);
        foreach (var (name, want) in EngineTensors())
        {
            var got = file.GetTensor(name);
            Assert.Equal(want.DType, got.DType);
            Assert.Equal(want.Shape, got.Shape);
            Assert.Equal(want.ToDoubleArray(), got.ToDoubleArray());
        }
        Assert.Equal(["position_ids", "step", "embed.weight"], file.Tensors.Take(3).Select(t => t.Name)); // I64, then F64, by name
        Assert.Throws<KeyNotFoundException>(() => file.GetTensor("nope"));
    }

    [Fact]
    public void ConvertsHalfBfloatAndIntegerTypes()
    {
        var t = SafeTensors.Load(TestData.Fixture("converted_dtypes.safetensors"));
        Assert.Equal([0.5f, -2f, 65504f], t["half"].ToArray());
        Assert.Equal([1f, -3.140625f], t["brain"].ToArray());
        Assert.Equal([-7L, 2147483647], t["i32"].ToArray<long>());
        Assert.Equal([0L, 128, 255], t["u8"].ToArray<long>());
        Assert.Equal([-128L, 127], t["i8"].ToArray<long>());
        Assert.Equal([-300L], t["i16"].ToArray<long>());
        Assert.Equal([4000000000L], t["u32"].ToArray<long>());
        Assert.Empty(SafeTensors.LoadMetadata(TestData.Fixture("converted_dtypes.safetensors")));
    }

    [Fact]
    public void RoundTripsRandomTensorsThroughAMemoryMap()
    {
        const ulong seed = 4242;
        output.WriteLine($"seed {seed}");
        var g = new Generator(seed);
        var tensors = new Dictionary<string, Tensor>
        {
            ["big"] = Tensor.Randn([1 << 20, 5], generator: g), // 20 MiB: over the memory-map threshold
            ["w"] = Tensor.Randn([3, 4], DType.Float64, g).Transpose(0, 1), // non-contiguous view
            ["ids"] = Tensor.Arange(10),
        };
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        SafeTensors.Save(path, tensors);
        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.True(file.IsMemoryMapped);
            Assert.Equal(tensors["w"].ToArray<double>(), file.GetTensor("w").ToArray<double>());
        }
        var back = SafeTensors.Load(path);
        Assert.Equal(tensors["big"].ToArray(), back["big"].ToArray());
        Assert.Equal([4, 3], back["w"].Shape);
        Assert.Equal(tensors["ids"].ToArray<long>(), back["ids"].ToArray<long>());
        var header = File.ReadAllBytes(path).AsSpan(0, 8);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(header) % 8);
    }

    private static byte[] FileWith(string json, int dataBytes, ulong? declaredLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void CorruptFilesAreRejectedNamingFileAndKey()
    {
        using var dir = new TempDir();
        string p = dir.File("bad.safetensors");
        void Expect(byte[] bytes, params string[] fragments)
        {
            File.WriteAllBytes(p, bytes);
            foreach (bool mmap in new[] { false, true })
            {
                var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(p));
                if (mmap) e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(p, memoryMap: true).Dispose());
                output.WriteLine(e.Message);
                Assert.Contains(p, e.Message);
                foreach (var f in fragments) Assert.Contains(f, e.Message);
            }
        }
        Expect([1, 2, 3], "too short");
        Expect(FileWith("{}", 0, declaredLength: 1000), "header length 1000 points past the end of the file");
        Expect(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "key 'a'", "out of range", "4 bytes");
        Expect(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
            "key 'b'", "overlap", "'a'");
        Expect(FileWith("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "key 'w'", "unknown dtype \"Q7\"");
        Expect(FileWith("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "key 'w'", "not supported");
        Expect(FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "key 'w'", "needs 12");
        Expect(FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8), "key 'w'", "shape");
        Expect(FileWith("{\"w\":", 8), "not valid JSON");
        Expect(FileWith("[1,2]", 8), "not an object");
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFile()
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(2) });
        var before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones(2) }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
