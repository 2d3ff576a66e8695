using System.IO.Compression;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class IdxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsEveryTypeGzippedOrNot(bool gzip)
    {
        using var dir = new TempDir();
        foreach (var (type, values) in new (IdxType, double[])[]
                 {
                     (IdxType.UByte, [0, 1, 254, 255, 7, 8]),
                     (IdxType.SByte, [-128, -1, 0, 1, 127, 5]),
                     (IdxType.Short, [-30000, 2, 3, 4, 5, 30000]),
                     (IdxType.Int, [-2_000_000_000, 1, 2, 3, 4, 2_000_000_000]),
                     (IdxType.Float, [0.5, -1.25, 3e10, 4, 5, 6]),
                     (IdxType.Double, [1.0 / 3, -2, 1e-300, 4, 5, 6]),
                 })
        {
            string path = dir.File($"{type}.idx");
            Idx.Write(path, type, [2, 3], values, gzip);
            var a = Idx.Read(path);
            Assert.Equal(type, a.Type);
            Assert.Equal([2, 3], a.Shape);
            var t = a.ToTensor(DType.Float64);
            Assert.Equal([2, 3], t.Shape);
            var expected = type == IdxType.Float ? values.Select(v => (double)(float)v) : values;
            Assert.Equal(expected, t.ToArray<double>());
        }
        Assert.Equal(DType.Int64, Idx.Read(dir.File("UByte.idx")).ToTensor().DType);
        Assert.Equal(DType.Float32, Idx.Read(dir.File("Float.idx")).ToTensor().DType);
    }

    private static string MakeIdx(TempDir dir, string name, bool gzip, int cut = 0, byte[]? append = null)
    {
        var body = new byte[4 + 8 + 10 * 4];
        body[2] = 0x08; body[3] = 2; body[7] = 10; body[11] = 4; // [10, 4] ubyte
        var bytes = body.Take(body.Length - cut).Concat(append ?? []).ToArray();
        string path = dir.File(name);
        if (!gzip) File.WriteAllBytes(path, bytes);
        else
        {
            using var fs = File.Create(path);
            using var z = new GZipStream(fs, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedFileNamesFileOffsetAndSizes(bool gzip)
    {
        using var dir = new TempDir();
        string path = MakeIdx(dir, "cut.idx", gzip, cut: 5);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("offset 47", e.Message); // 12-byte header + 35 of 40 data bytes
        Assert.Contains("truncated", e.Message);
        Assert.Contains("need 40 bytes", e.Message);
        if (gzip) Assert.Contains("decompressed", e.Message);
    }

    [Fact]
    public void BadMagicTypeDimsAndTrailingBytes()
    {
        using var dir = new TempDir();
        string p = dir.File("magic.idx");
        File.WriteAllBytes(p, [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5]);
        Assert.Contains("bad magic number 12 34 08 01", Assert.Throws<InvalidDataException>(() => Idx.Read(p)).Message);
        File.WriteAllBytes(p, [0, 0, 0x07, 0x01, 0, 0, 0, 1, 5]);
        Assert.Contains("unknown element type 0x07", Assert.Throws<InvalidDataException>(() => Idx.Read(p)).Message);
        File.WriteAllBytes(p, [0, 0, 0x08, 0x02, 0, 0, 0, 1, 0]);
        Assert.Contains("inside the dimension sizes", Assert.Throws<InvalidDataException>(() => Idx.Read(p)).Message);
        File.WriteAllBytes(p, [0, 0]);
        Assert.Contains("offset 2", Assert.Throws<InvalidDataException>(() => Idx.Read(p)).Message);
        string extra = MakeIdx(dir, "extra.idx", gzip: false, append: [1, 2]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(extra));
        Assert.Contains("offset 52: trailing bytes", e.Message);
    }

    [Fact]
    public void CorruptGzipStreamNamesTheFile()
    {
        using var dir = new TempDir();
        string path = MakeIdx(dir, "bad.idx.gz", gzip: true);
        var bytes = File.ReadAllBytes(path);
        // Cut the gzip member short: the deflate stream ends early.
        File.WriteAllBytes(path, bytes[..(bytes.Length - 12)]);
        var e = Assert.ThrowsAny<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        // Garble the deflate data.
        bytes[12] ^= 0xFF; bytes[13] ^= 0xFF; bytes[14] ^= 0x55;
        File.WriteAllBytes(path, bytes);
        var e2 = Assert.ThrowsAny<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e2.Message);
    }
}

public class CifarTests
{
    private static byte[] Records(int n, int labelBytes, Func<int, byte[]> labels)
    {
        var data = new byte[n * (labelBytes + Cifar.ImageBytes)];
        for (int i = 0; i < n; i++)
        {
            int off = i * (labelBytes + Cifar.ImageBytes);
            labels(i).CopyTo(data, off);
            for (int k = 0; k < Cifar.ImageBytes; k++) data[off + labelBytes + k] = (byte)(i * 7 + k);
        }
        return data;
    }

    [Fact]
    public void ReadsCifar10AndCifar100Records()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("data_batch_1.bin"), Records(3, 1, i => [(byte)(i + 3)]));
        var b = Cifar.ReadCifar10(dir.File("data_batch_1.bin"));
        Assert.Equal([3L, 4, 5], b.Labels);
        Assert.Null(b.CoarseLabels);
        var t = b.ImagesTensor(scale: false);
        Assert.Equal([3, 3, 32, 32], t.Shape);
        Assert.Equal((float)((7 + 1025) % 256), t[1, 1, 0, 1].Item<float>()); // image 1, green plane starts at byte 1024
        Assert.Equal((float)((14 + 3071) % 256), t[2, 2, 31, 31].Item<float>());
        File.WriteAllBytes(dir.File("train.bin"), Records(2, 2, i => [(byte)(19 - i), (byte)(99 - i)]));
        var c = Cifar.ReadCifar100(dir.File("train.bin"));
        Assert.Equal([19L, 18], c.CoarseLabels!);
        Assert.Equal([99L, 98], c.Labels);
    }

    [Fact]
    public void TruncatedOrBadLabelsAreReportedWithOffsets()
    {
        using var dir = new TempDir();
        string p = dir.File("data_batch_2.bin");
        File.WriteAllBytes(p, Records(3, 1, _ => [1])[..^100]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.ReadCifar10(p));
        Assert.Contains(p, e.Message);
        Assert.Contains("offset 6146", e.Message); // two whole 3073-byte records
        Assert.Contains("not a whole number of 3073-byte", e.Message);
        File.WriteAllBytes(p, Records(2, 1, i => [(byte)(i == 1 ? 10 : 0)]));
        Assert.Contains("offset 3073: record 1 has label 10", Assert.Throws<InvalidDataException>(() => Cifar.ReadCifar10(p)).Message);
        File.WriteAllBytes(p, []);
        Assert.Contains("empty file", Assert.Throws<InvalidDataException>(() => Cifar.ReadCifar10(p)).Message);
    }
}

public class CsvTests
{
    private const string Text = "id,name,score,kind\r\n1,\"Smith, J\",3.5,a\n2,\"say \"\"hi\"\"\",,b\n\n3,\"multi\nline\",-1e3,a\n";

    [Fact]
    public void RecordsFollowRfc4180()
    {
        var recs = Csv.ReadRecords(new StringReader(Text)).ToList();
        Assert.Equal(4, recs.Count);
        Assert.Equal(["1", "Smith, J", "3.5", "a"], recs[1].Fields);
        Assert.Equal(["2", "say \"hi\"", "", "b"], recs[2].Fields);
        Assert.Equal("multi\nline", recs[3].Fields[1]);
        Assert.Equal(5, recs[3].Line);
        Assert.Contains("line 1, column 3", Assert.Throws<InvalidDataException>(() => Csv.ReadRecords(new StringReader("ab\"c")).ToList()).Message);
        Assert.Contains("not closed", Assert.Throws<InvalidDataException>(() => Csv.ReadRecords(new StringReader("a,\"bc")).ToList()).Message);
    }

    [Fact]
    public void SchemaWithMissingValuesAndCategories()
    {
        var schema = new CsvSchema([CsvColumn.Numeric("score", MissingPolicy.Missing), CsvColumn.Categorical("kind"), CsvColumn.Numeric("id")]);
        var table = Csv.Read(new StringReader(Text), schema, "people.csv");
        Assert.Equal(3, table.RowCount);
        var score = table.Numeric("score");
        Assert.Equal(3.5, score[0]);
        Assert.True(double.IsNaN(score[1]));
        Assert.Equal(-1000, score[2]);
        Assert.Equal([0L, 1, 0], table.Codes("kind"));
        Assert.Equal(["a", "b"], table.Categories("kind"));
        var x = table.ToTensor("id", "kind");
        Assert.Equal([3, 2], x.Shape);
        Assert.Equal([1f, 0, 2, 1, 3, 0], x.ToArray());
        var ds = table.ToDataset(["id"], "kind");
        Assert.Equal(1L, ds[1].Item2.Item<long>());

        var strict = new CsvSchema([CsvColumn.Numeric("score")]);
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader(Text), strict, "people.csv"));
        Assert.Contains("people.csv: line 3, column 'score': missing value", e.Message);
        var bad = Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader("score\nabc\n"), strict, "x.csv"));
        Assert.Contains("'abc' is not a number", bad.Message);
        var fixedCats = new CsvSchema([CsvColumn.Categorical("kind", ["a"])]);
        Assert.Contains("'b' is not one of the categories", Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader(Text), fixedCats)).Message);
        var absent = new CsvSchema([CsvColumn.Numeric("height")]);
        Assert.Contains("lacks column(s) 'height'", Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader(Text), absent)).Message);
        var noHeader = new CsvSchema([CsvColumn.Numeric("a"), CsvColumn.Numeric("b")], HasHeader: false, Delimiter: ';', MissingValues: ["NA"]);
        var t2 = Csv.Read(new StringReader("1;2\nNA;4\n"), noHeader with { Columns = [CsvColumn.Numeric("a", MissingPolicy.Missing), CsvColumn.Numeric("b")] });
        Assert.True(double.IsNaN(t2.Numeric("a")[1]));
        Assert.Equal([2.0, 4.0], t2.Numeric("b"));
    }
}
