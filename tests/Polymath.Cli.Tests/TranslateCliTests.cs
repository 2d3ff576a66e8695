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

    private static string[] Small(string data, string outDir, int epochs) =>
    [
        "translate", "train", "--data", data, "--out", outDir, "--vocab-size", "300", "--d-model", "16", "--heads", "2", "--encoder-layers", "1",
        "--decoder-layers", "1", "--ffn", "32", "--dropout", "0.1", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch-tokens", "300",
        "--warmup", "10", "--lr", "0.003", "--beam", "1", "--log-every", "5", "--threads", "1", "--seed", "9",
    ];

    [Fact]
    public void ResumedRunsEndWhereAnUninterruptedRunEnds()
    {
        // Dropout is on, so the random state matters too. Three epochs in one go; the same schedule stopped after
        // epoch 1 and resumed; and stopped inside epoch 2 (--stop-at) and resumed: all three end with the same
        // validation loss and the same weights.
        string data = Corpus(), whole = Path.Combine(_dir, "whole"), byEpoch = Path.Combine(_dir, "by-epoch"), midEpoch = Path.Combine(_dir, "mid-epoch");
        var (code, output, err) = CliRunner.Run(Small(data, whole, 3));
        Assert.True(code == 0, output + err);
        var evals = Events(whole, "eval");
        Assert.Equal(3, evals.Count);
        long stepsPerEpoch = evals[0].GetProperty("step").GetInt64();

        Assert.Equal(0, CliRunner.Run(Small(data, byEpoch, 1)).Code);
        (code, output, err) = CliRunner.Run("translate", "train", "--resume", Path.Combine(byEpoch, "last.safetensors"), "--epochs", "3", "--threads", "1");
        Assert.True(code == 0, output + err);
        Assert.Contains("resuming from", output);

        long stopAt = stepsPerEpoch + stepsPerEpoch / 2;
        Assert.Equal(0, CliRunner.Run([.. Small(data, midEpoch, 3), "--stop-at", stopAt.ToString(CultureInfo.InvariantCulture)]).Code);
        Assert.Equal(stopAt, Events(midEpoch, "eval")[^1].GetProperty("step").GetInt64());
        (code, output, err) = CliRunner.Run("translate", "train", "--resume", Path.Combine(midEpoch, "last.safetensors"), "--threads", "1");
        Assert.True(code == 0, output + err);
        Assert.Contains($"+ {stopAt - stepsPerEpoch} batches of epoch 2", output);

        double expected = evals[^1].GetProperty("val_loss").GetDouble();
        var reference = Polymath.Data.SafeTensors.Load(Path.Combine(whole, "last.safetensors"));
        foreach (var dir in new[] { byEpoch, midEpoch })
        {
            var last = Events(dir, "eval")[^1];
            Assert.Equal(3 * stepsPerEpoch, last.GetProperty("step").GetInt64());
            Assert.Equal(expected, last.GetProperty("val_loss").GetDouble());
            var weights = Polymath.Data.SafeTensors.Load(Path.Combine(dir, "last.safetensors"));
            foreach (var (name, t) in reference.Where(kv => !kv.Key.StartsWith("optimizer", StringComparison.Ordinal)))
                Assert.Equal(t.ToArray<float>(), weights[name].ToArray<float>());
        }

        // Only the run's length and reporting may change on resume; the data must be the same.
        (code, _, err) = CliRunner.Run("translate", "train", "--resume", Path.Combine(byEpoch, "last.safetensors"), "--lr", "0.1");
        Assert.Equal(2, code);
        Assert.Contains("--lr cannot change on resume", err);
        File.AppendAllText(Path.Combine(data, "train.en"), "a dog.\n");
        File.AppendAllText(Path.Combine(data, "train.de"), "ein Hund.\n");
        (code, _, err) = CliRunner.Run("translate", "train", "--resume", Path.Combine(byEpoch, "last.safetensors"), "--epochs", "4");
        Assert.Equal(2, code);
        Assert.Contains("changed since", err);
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
