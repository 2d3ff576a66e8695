using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath translate train|decode|evaluate</c> on a tiny model and a small generated parallel corpus.</summary>
[Collection("console")]
public sealed class TranslateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-translate-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A word-for-word "language" pair: each English word has one German word, order kept. Seeded, so every run sees the same files.
    private static readonly Dictionary<string, string> Lexicon = new()
    {
        ["a"] = "ein", ["the"] = "der", ["man"] = "Mann", ["dog"] = "Hund", ["runs"] = "läuft", ["sleeps"] = "schläft",
        ["big"] = "großer", ["small"] = "kleiner", ["here"] = "hier", ["there"] = "dort",
    };

    private string Corpus()
    {
        var r = new System.Random(3);
        string[] det = ["a", "the"], adj = ["big", "small"], noun = ["man", "dog"], verb = ["runs", "sleeps"], where = ["here", "there"];
        string Sentence() => $"{det[r.Next(2)]} {adj[r.Next(2)]} {noun[r.Next(2)]} {verb[r.Next(2)]} {where[r.Next(2)]}";
        string dir = Path.Combine(_dir, "corpus");
        Directory.CreateDirectory(dir);
        foreach (var (split, n) in new[] { ("train", 300), ("val", 20), ("test_2016_flickr", 20) })
        {
            var en = Enumerable.Range(0, n).Select(_ => Sentence()).ToList();
            File.WriteAllText(Path.Combine(dir, split + ".en"), string.Join("\n", en.Select(s => s + ".")) + "\n");
            File.WriteAllText(Path.Combine(dir, split + ".de"), string.Join("\n", en.Select(s => string.Join(' ', s.Split(' ').Select(w => Lexicon[w])) + ".")) + "\n");
        }
        return dir;
    }

    private static List<JsonElement> Events(string outDir, string name) =>
        File.ReadAllLines(Path.Combine(outDir, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == name).ToList();

    [Fact]
    public void TrainsRecordsTheRunDecodesAndEvaluates()
    {
        string data = Corpus(), outDir = Path.Combine(_dir, "run");
        var (code, output, err) = CliRunner.Run("translate", "train", "--data", data, "--out", outDir, "--vocab-size", "300", "--d-model", "32", "--heads", "2",
            "--encoder-layers", "1", "--decoder-layers", "1", "--ffn", "64", "--dropout", "0", "--epochs", "6", "--batch-tokens", "300", "--warmup", "20",
            "--lr", "0.003", "--beam", "2", "--log-every", "10", "--threads", "1", "--seed", "5");
        Assert.True(code == 0, output + err);
        foreach (var f in new[] { "last.safetensors", "best.safetensors", "report.html", "run.jsonl", "test.greedy.de", "test.beam2.de" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing in {outDir}");
        var start = Events(outDir, "start").Single();
        Assert.Equal(64, start.GetProperty("dataset_sha256").GetString()!.Length);
        Assert.Equal(5, start.GetProperty("seed").GetInt32());
        Assert.Equal(32, start.GetProperty("options").GetProperty("DModel").GetInt32());
        Assert.Equal(300, start.GetProperty("train_pairs").GetInt32());
        Assert.Equal(64, start.GetProperty("files_sha256").GetProperty("train.en").GetString()!.Length);
        var evals = Events(outDir, "eval");
        Assert.Equal(6, evals.Count);
        double firstLoss = evals[0].GetProperty("val_loss").GetDouble(), lastLoss = evals[^1].GetProperty("val_loss").GetDouble();
        Assert.True(lastLoss < firstLoss - 1, $"validation loss went from {firstLoss} to {lastLoss}");
        // A word-for-word mapping of 10 words: the tiny model gets most of the test set right.
        var tests = Events(outDir, "test");
        Assert.Equal(2, tests.Count);
        double greedy = tests[0].GetProperty("bleu").GetDouble();
        Assert.True(greedy > 50, $"test BLEU {greedy}\n{output}");
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "report.html")));

        (code, output, err) = CliRunner.Run("translate", "decode", "--checkpoint", Path.Combine(outDir, "best.safetensors"), "--text", "the big dog sleeps here.", "--beam", "2");
        Assert.True(code == 0, output + err);
        Assert.Equal("der großer Hund schläft hier.", output.Trim());

        (code, output, err) = CliRunner.Run("translate", "evaluate", "--checkpoint", Path.Combine(outDir, "best.safetensors"), "--split", "test", "--beam", "1");
        Assert.True(code == 0, output + err);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"BLEU = {greedy:F2}"), output);
    }

    [Fact]
    public void BadCommandLinesExitWithUsageErrors()
    {
        var (code, _, err) = CliRunner.Run("translate", "train", "--data", Path.Combine(_dir, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
        (code, _, err) = CliRunner.Run("translate", "decode", "--text", "hi");
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint", err);
        (code, _, err) = CliRunner.Run("translate", "fly");
        Assert.Equal(2, code);
        Assert.Contains("unknown action", err);
        string notOurs = Path.Combine(_dir, "x.safetensors");
        File.WriteAllText(notOurs, "not a checkpoint");
        (code, _, err) = CliRunner.Run("translate", "evaluate", "--checkpoint", notOurs);
        Assert.NotEqual(0, code);
        Assert.Contains("polymath:", err);
    }
}
