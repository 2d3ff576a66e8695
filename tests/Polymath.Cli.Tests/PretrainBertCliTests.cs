using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath pretrain bert</c> on a tiny model and a small generated text: it learns, records the run, resumes exactly and rejects GPT-only options.</summary>
[Collection("console")]
public sealed class PretrainBertCliTests : IDisposable
{
    // As for pretrain gpt: whole-tensor sums round by allocation alignment, so a resumed run matches to ~1e-7, not bit for bit.
    private const double ResumeTolerance = 1e-5;

    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-pretrain-bert-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Data()
    {
        // Lines whose masked words follow from the rest of the line (seeded, so every run sees the same file).
        var r = new System.Random(8);
        string[] animals = ["cat", "dog", "bird", "fish"];
        string[] colours = ["red", "green", "blue"];
        var lines = Enumerable.Range(0, 300).Select(_ =>
        {
            int a = r.Next(4);
            return $"the {colours[a % 3]} {animals[a]} sees the {colours[a % 3]} {animals[a]} again";
        });
        string path = Path.Combine(_dir, "lines.txt");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string[] Tiny(string data, string outDir, int steps) =>
    [
        "pretrain", "bert", "--data", data, "--out", outDir, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--layers", "1", "--embd", "16", "--heads", "2",
        "--context", "16", "--batch-size", "8", "--vocab-size", "40", "--eval-every", "10", "--eval-batches", "2", "--sample-every", "20",
        "--warmup", "5", "--lr", "0.01", "--log-every", "10", "--progress", "plain", "--threads", "1",
    ];

    private static List<JsonElement> Events(string outDir, string name) =>
        File.ReadAllLines(Path.Combine(outDir, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == name).ToList();

    [Fact]
    public void PretrainBertLearnsRecordsTheRunAndResumesExactly()
    {
        string data = Data(), a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        var (code, output, err) = CliRunner.Run(Tiny(data, a, 40));
        Assert.True(code == 0, output + err);
        Assert.Contains("wordpiece tokenizer with", output);
        Assert.Contains("--- sample at step 20 ---", output);
        foreach (var f in new[] { "last.safetensors", "best.safetensors", "report.html", "run.jsonl" })
            Assert.True(File.Exists(Path.Combine(a, f)), $"{f} missing in {a}");
        var start = Events(a, "start").Single();
        Assert.Equal("bert", start.GetProperty("model").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), start.GetProperty("dataset_sha256").GetString());
        Assert.Equal(1337, start.GetProperty("seed").GetInt32());
        Assert.Equal(0.15, start.GetProperty("options").GetProperty("MaskProb").GetDouble());
        var evals = Events(a, "eval");
        Assert.Equal(5, evals.Count); // the untrained baseline at step 0, then steps 10..40
        Assert.Equal(0, evals[0].GetProperty("step").GetInt32());
        Assert.InRange(evals[0].GetProperty("val_loss").GetDouble(), Math.Log(40) - 1, Math.Log(40) + 1); // about ln(vocabulary) untrained
        double first = evals[0].GetProperty("val_loss").GetDouble(), last = evals[^1].GetProperty("val_loss").GetDouble();
        Assert.True(last < first - 0.5, $"validation loss went from {first} to {last}");
        Assert.InRange(evals[^1].GetProperty("val_masked_accuracy").GetDouble(), 0.0, 1.0);
        // The checkpoint holds an HF-layout BertForMaskedLM state dict under the model. prefix.
        var keys = Polymath.Data.SafeTensors.Load(Path.Combine(a, "last.safetensors")).Keys;
        Assert.Contains("model.bert.encoder.layer.0.attention.self.query.weight", keys);
        Assert.Contains("model.cls.predictions.bias", keys);
        // ... which the Hugging Face loader reads back (the run's config records the heads, which shapes cannot tell).
        var config = JsonSerializer.Deserialize<Polymath.Models.Bert.BertConfig>(Polymath.Training.Checkpoint.ReadInfo(Path.Combine(a, "last.safetensors")).Extra["bert_config"])!;
        Assert.Equal(2, config.NumAttentionHeads);
        var reloaded = Polymath.Models.Bert.BertPretrained.ForMaskedLM(Polymath.Training.Checkpoint.ReadModelState(Path.Combine(a, "last.safetensors")), config.NumAttentionHeads);
        Assert.Equal(16, reloaded.Config.HiddenSize);
        Assert.Equal(16, reloaded.Config.MaxPositionEmbeddings);

        Assert.Equal(0, CliRunner.Run([.. Tiny(data, b, 40), "--stop-at", "30"]).Code);
        var (rc, rout, rerr) = CliRunner.Run("pretrain", "bert", "--resume", Path.Combine(b, "last.safetensors"), "--progress", "plain", "--threads", "1");
        Assert.True(rc == 0, rout + rerr);
        double resumed = Events(b, "eval").Last().GetProperty("val_loss").GetDouble();
        Assert.True(Math.Abs(resumed - last) <= ResumeTolerance, $"resumed run ends at val loss {resumed}, the uninterrupted one at {last}");

        var (wrong, _, wrongErr) = CliRunner.Run("pretrain", "gpt", "--resume", Path.Combine(b, "last.safetensors"));
        Assert.Equal(Program.UsageError, wrong);
        Assert.Contains("is a bert checkpoint, not gpt", wrongErr);
    }

    [Theory]
    [InlineData("bert --tokenizer char", "pretrain bert uses the WordPiece tokenizer")]
    [InlineData("bert --positions rotary", "apply to pretrain gpt only")]
    [InlineData("gpt --mask-prob 0.2", "apply to pretrain bert only")]
    [InlineData("bert --context 2", "--context 2 leaves no room")]
    [InlineData("bart", "unknown model 'bart'; valid: gpt, bert")]
    public void BadOptionsAreNamed(string command, string message)
    {
        var (code, _, err) = CliRunner.Run(["pretrain", .. command.Split(' '), "--data", Data()]);
        Assert.Equal(Program.UsageError, code);
        Assert.Contains(message, err);
    }
}
