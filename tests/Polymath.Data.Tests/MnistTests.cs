using System.Diagnostics;
using Polymath.Data.Transforms;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Data.Tests;

public class MnistTests(ITestOutputHelper output)
{
    [MnistFact]
    public void TrainAndTestSplitsHaveTheKnownCountsAndFirstLabels()
    {
        var train = new Mnist(TestData.Mnist, train: true);
        var test = new Mnist(TestData.Mnist, train: false);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal([5L, 0, 4, 1, 9], Enumerable.Range(0, 5).Select(train.Label));
        Assert.Equal([7L, 2, 1, 0, 4], Enumerable.Range(0, 5).Select(test.Label));
        var (image, label) = train[0];
        Assert.Equal([1, 28, 28], image.Shape);
        Assert.Equal(DType.Float32, image.DType);
        Assert.Equal(DType.Int64, label.DType);
        Assert.Equal(5L, label.Item<long>());
        var pixels = image.ToArray();
        Assert.Equal(0f, pixels.Min());
        Assert.Equal(1f, pixels.Max());
        Assert.Equal(60000 * 784, train.RawImages.Length);
        Assert.Equal([60000, 1, 28, 28], train.Images.Shape);
        var unscaled = new Mnist(TestData.Mnist, train: false, scale: false);
        Assert.Equal(255f, unscaled[0].Image.ToArray().Max());
    }

    [MnistFact]
    public void ChecksumsInCodeMatchTheLocalCopies()
    {
        foreach (var f in Mnist.Files)
            Assert.Equal(f.Sha256, Downloader.Sha256Of(Path.Combine(TestData.Mnist, f.FileName)));
        _ = new Mnist(TestData.Mnist, train: false, verifyChecksums: true);
    }

    [FashionMnistFact]
    public void FashionMnistLoadsWithChecksums()
    {
        foreach (var f in FashionMnist.Files)
            Assert.Equal(f.Sha256, Downloader.Sha256Of(Path.Combine(TestData.FashionMnist, f.FileName)));
        var test = new FashionMnist(TestData.FashionMnist, train: false, verifyChecksums: true);
        Assert.Equal(10000, test.Count);
        Assert.Equal(9L, test.Label(0)); // the first test image is an ankle boot
        Assert.Equal("Ankle boot", FashionMnist.Classes[9]);
    }

    [Fact]
    public void MissingFolderListsTheFilesAndHowToGetThem()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => new Mnist(dir.Path, train: true));
        output.WriteLine(e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message);
        Assert.DoesNotContain("t10k", e.Message);
        Assert.Contains("Mnist.DownloadAsync", e.Message);
        Assert.Contains("https://", e.Message);
    }

    [Fact]
    public void CorruptLocalFileIsReportedWithItsName()
    {
        using var dir = new TempDir();
        Idx.Write(dir.File("t10k-images-idx3-ubyte.gz"), IdxType.UByte, [2, 28, 28], new double[2 * 784], gzip: true);
        Idx.Write(dir.File("t10k-labels-idx1-ubyte.gz"), IdxType.UByte, [3], [1, 2, 3], gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => new Mnist(dir.Path, train: false));
        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
        var sum = Assert.Throws<InvalidDataException>(() => new Mnist(dir.Path, train: false, verifyChecksums: true));
        Assert.Contains("SHA-256", sum.Message);
    }

    [MnistFact]
    public void LoaderThroughputOnMnist()
    {
        var train = new Mnist(TestData.Mnist, train: true);
        foreach (int workers in new[] { 0, 2, 4 })
        {
            var loader = DataLoader.Create(train, batchSize: 128, shuffle: true, seed: 1, numWorkers: workers);
            foreach (var _ in loader.Take(20)) { } // warm up
            var sw = Stopwatch.StartNew();
            int batches = 0;
            long images = 0;
            foreach (var (x, y) in loader)
            {
                batches++;
                images += x.Size(0);
                Assert.Equal(x.Size(0), y.Size(0));
            }
            sw.Stop();
            Assert.Equal(469, batches);
            Assert.Equal(60000, images);
            output.WriteLine($"MNIST DataLoader, batch 128, shuffled, {workers} workers: {batches / sw.Elapsed.TotalSeconds:F0} batches/s ({images / sw.Elapsed.TotalSeconds:F0} images/s, epoch {sw.Elapsed.TotalMilliseconds:F0} ms)");
        }
        var augmented = new Mnist(TestData.Mnist, train: true, transform: new Compose(new RandomCrop(28, padding: 2), new Normalize([0.1307], [0.3081])));
        var aug = DataLoader.Create(augmented, batchSize: 128, shuffle: true, seed: 1, numWorkers: 4);
        var sw2 = Stopwatch.StartNew();
        int n = aug.Count();
        output.WriteLine($"MNIST DataLoader with RandomCrop(28, padding 2) + Normalize, 4 workers: {n / sw2.Elapsed.TotalSeconds:F0} batches/s");
    }
}

public class TextTests
{
    [Fact]
    public void VocabularyEncodesAndDecodes()
    {
        var v = new CharVocabulary("hello world");
        Assert.Equal(" dehlorw", new string(v.Characters.ToArray()));
        var ids = v.Encode("hold");
        Assert.Equal("hold", v.Decode(ids));
        Assert.Contains("position 1", Assert.Throws<ArgumentException>(() => v.Encode("hx")).Message);
        var ds = new CharDataset(v.Encode("hello world"), 4, v);
        Assert.Equal(7, ds.Count);
        var (x, y) = ds[1];
        Assert.Equal("ello", v.Decode(x));
        Assert.Equal("llo ", v.Decode(y));
    }

    [ShakespeareFact]
    public void TinyShakespeareSplitsAndBlocks()
    {
        var train = TinyShakespeare.Load(TestData.TinyShakespeare, blockSize: 64);
        var val = TinyShakespeare.Load(TestData.TinyShakespeare, blockSize: 64, train: false);
        Assert.Equal(65, train.Vocabulary.Size);
        Assert.Equal(1115394, train.Tokens.Length + val.Tokens.Length);
        Assert.Equal(1003854, train.Tokens.Length);
        Assert.Equal(train.Tokens.Length - 64, train.Count);
        Assert.StartsWith("First Citizen", train.Vocabulary.Decode(train[0].X));
        var batch = DataLoader.Create(train, batchSize: 8, shuffle: true, seed: 3).First();
        Assert.Equal([8, 64], batch.Item1.Shape);
        Assert.Equal(batch.Item1[0, 1..].ToArray<long>(), batch.Item2[0, ..63].ToArray<long>());
        Assert.Equal(TinyShakespeare.File.Sha256, Downloader.Sha256Of(Path.Combine(TestData.TinyShakespeare, "input.txt")));
    }
}
