using System.Buffers.Binary;
using System.IO.Compression;
using Polymath.Cli;

namespace Polymath.Training.Tests;

/// <summary>polymath train/eval/predict as a user meets them. Console output is global, so these run one at a time.</summary>
[Collection("console")]
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Polymath.Cli.Tests.CliRunner.Run(args);

    [Theory]
    [InlineData("train", "--model", "vgg", "valid models: mlp, lenet5, resnet, lstm")]
    [InlineData("train", "--dataset", "cifar", "valid datasets: mnist, fashion-mnist")]
    [InlineData("train", "--optimizer", "lbfgs", "valid optimizers: adam, adamw, sgd")]
    [InlineData("train", "--frobnicate", "1", "valid options: --model")]
    [InlineData("train", "--epochs", "zero", "--epochs")]
    [InlineData("train", "--resume", "/nonexistent/x.safetensors", "does not exist")]
    [InlineData("eval", "--split", "dev", "--checkpoint")]
    [InlineData("eval", "--checkpoint", "/nonexistent/x.safetensors", "does not exist")]
    [InlineData("predict", "--checkpoint", "/nonexistent/x.safetensors", "--input")]
    public void BadInputIsAUsageErrorNamingTheValidChoices(params string[] argsAndExpected)
    {
        var args = argsAndExpected[..^1];
        var (code, _, err) = Run(args);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains(argsAndExpected[^1], err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void UnknownConfigKeysAreUsageErrors()
    {
        string dir = Synthetic.TempDir();
        string config = Path.Combine(dir, "run.yaml");
        File.WriteAllText(config, "model: lenet5\nlearning_rate: 0.1\n");
        var (code, _, err) = Run("train", "--config", config);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("unknown option 'learning-rate'", err);
        Assert.Contains("batch-size", err);
        File.WriteAllText(config, "model: [lenet5\n");
        Assert.Equal(Program.UsageError, Run("train", "--config", config).Code);
    }

    [Fact]
    public void HelpExplainsEveryTrainOption()
    {
        var (code, output, _) = Run("train", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--model", "--dataset", "--data-dir", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--threads", "--out", "--resume", "--config" })
            Assert.Contains(option, output);
        Assert.Contains("train", Run("--help").Out);
    }

    [Fact]
    public void TrainEvalPredictOnATinyIdxDataSetWithAYamlConfig()
    {
        string data = Synthetic.TempDir();
        WriteIdx(data, "train", 96, 1);
        WriteIdx(data, "t10k", 32, 2);
        string outDir = Path.Combine(Synthetic.TempDir(), "run");
        string config = Path.Combine(data, "run.yaml");
        File.WriteAllText(config, $"model: mlp\nbatch_size: 32\nepochs: 2\nlr: 0.001\nout: {outDir}\nprogress: none\n");
        var (code, output, err) = Run("train", "--config", config, "--data-dir", data, "--epochs", "1", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("after 1 epochs", output); // the command line beat the file's epochs: 2
        string ckpt = Path.Combine(outDir, "last.safetensors");
        Assert.True(File.Exists(ckpt));
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));

        // Resume to epoch 2 from the file's settings.
        (code, output, err) = Run("train", "--config", config, "--data-dir", data, "--resume", ckpt, "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("resuming from", output);
        Assert.Equal(2, Checkpoint.ReadInfo(ckpt).Epoch);

        (code, output, err) = Run("eval", "--checkpoint", ckpt, "--data-dir", data);
        Assert.True(code == 0, err);
        Assert.Contains("accuracy", output);
        Assert.Contains("confusion matrix", output);

        (code, output, err) = Run("predict", "--checkpoint", ckpt, "--input", Path.Combine(data, "t10k-images-idx3-ubyte.gz"), "--limit", "3", "--top", "2");
        Assert.True(code == 0, err);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("t10k-images-idx3-ubyte.gz[2]:", output);
    }

    /// <summary>Writes n random 28×28 images with labels 0–9 as gzipped IDX files (seeded).</summary>
    private static void WriteIdx(string dir, string prefix, int n, ulong seed)
    {
        var g = new Generator(seed);
        var pixels = new float[n * 784];
        g.FillUniform(pixels, 0f, 1f);
        var images = new byte[16 + n * 784];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int i = 0; i < n * 784; i++) images[16 + i] = (byte)(pixels[i] * 255);
        var labels = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), n);
        for (int i = 0; i < n; i++) labels[8 + i] = (byte)(i % 10);
        Gz(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), images);
        Gz(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), labels);
    }

    private static void Gz(string path, byte[] bytes)
    {
        using var f = File.Create(path);
        using var z = new GZipStream(f, CompressionLevel.Fastest);
        z.Write(bytes);
    }
}
