using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath finetune</c> and <c>polymath evaluate</c> on a tiny pretrained GPT and a small generated play script.</summary>
[Collection("console")]
public sealed class FinetuneCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-finetune-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Four speakers, each with a word of their own, so a classifier has something to learn (seeded).</summary>
    private string Script()
    {
        var r = new System.Random(9);
        string[] names = ["ANNA", "BORIS", "CLARA", "DMITRI"];
        string[] own = ["apples", "boats", "clocks", "dogs"];
        string[] common = ["the", "good", "is", "my", "and", "where"];
        var blocks = new List<string>();
        for (int i = 0; i < 240; i++)
        {
            int s = r.Next(4);
            var words = Enumerable.Range(0, 5).Select(_ => common[r.Next(common.Length)]).ToList();
            words.Insert(r.Next(words.Count + 1), own[s]);
            blocks.Add($"{names[s]}:\n{string.Join(" ", words)}.");
        }
        string path = Path.Combine(_dir, "play.txt");
        File.WriteAllText(path, string.Join("\n\n", blocks) + "\n");
        return path;
    }

    private string Pretrain(string data, string name, int embd)
    {
        string outDir = Path.Combine(_dir, name);
        var (code, o, e) = CliRunner.Run("pretrain", "gpt", "--data", data, "--out", outDir, "--steps", "30", "--layers", "1", "--embd", embd.ToString(CultureInfo.InvariantCulture),
            "--heads", "2", "--context", "48", "--batch-size", "8", "--eval-every", "30", "--eval-batches", "1", "--sample-every", "0", "--lr", "0.01", "--progress", "none", "--threads", "1");
        Assert.True(code == 0, o + e);
        return Path.Combine(outDir, "last.safetensors");
    }

    private static List<JsonElement> Events(string outDir, string name) =>
        File.ReadAllLines(Path.Combine(outDir, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == name).ToList();

    private static string[] Finetune(string backbone, string data, string outDir, string method, params string[] more) =>
    [
        "finetune", "--backbone", backbone, "--data", data, "--method", method, "--speakers", "4", "--max-tokens", "40", "--epochs", "3", "--batch-size", "8",
        "--val-fraction", "0.2", "--test-fraction", "0.2", "--out", outDir, "--threads", "1", .. more,
    ];

    [Fact]
    public void LoraRunIsRecordedAndItsAdapterAloneReproducesTheTestAccuracy()
    {
        string data = Script(), backbone = Pretrain(data, "pre", 16), run = Path.Combine(_dir, "lora");
        var (code, output, err) = CliRunner.Run(Finetune(backbone, data, run, "lora", "--lora-rank", "2", "--lora-targets", "c_attn|c_proj|c_fc", "--lr", "0.01"));
        Assert.True(code == 0, output + err);
        var start = Events(run, "start").Single();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), start.GetProperty("dataset_sha256").GetString());
        Assert.Equal(1337, start.GetProperty("seed").GetInt32());
        Assert.Equal(2, start.GetProperty("options").GetProperty("LoraRank").GetInt32());
        Assert.Equal(["ANNA", "BORIS", "CLARA", "DMITRI"], start.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).Order().ToArray());
        long trainable = start.GetProperty("trainable_parameters").GetInt64(), total = start.GetProperty("parameters").GetInt64();
        // LoRA r = 2 on c_attn (16→48), c_proj (16→16), c_fc (16→64), mlp.c_proj (64→16), plus the head 16·4 + 4.
        Assert.Equal(2 * (16 + 48) + 2 * (16 + 16) + 2 * (16 + 64) + 2 * (64 + 16) + 68, trainable);
        Assert.True(trainable < total / 4);
        Assert.Equal(3, Events(run, "epoch").Count);
        double testAcc = Events(run, "test").Single().GetProperty("test_accuracy").GetDouble();
        Assert.True(File.Exists(Path.Combine(run, "report.html")));
        string adapter = Path.Combine(run, "adapter_model.safetensors");
        Assert.True(new FileInfo(adapter).Length < new FileInfo(Path.Combine(run, "model.safetensors")).Length / 3);

        var fromCheckpoint = CliRunner.Run("evaluate", "--checkpoint", Path.Combine(run, "model.safetensors"), "--out", Path.Combine(_dir, "ev1"), "--threads", "1");
        Assert.True(fromCheckpoint.Code == 0, fromCheckpoint.Out + fromCheckpoint.Err);
        var fromAdapter = CliRunner.Run("evaluate", "--backbone", backbone, "--adapter", adapter, "--out", Path.Combine(_dir, "ev2"), "--threads", "1");
        Assert.True(fromAdapter.Code == 0, fromAdapter.Out + fromAdapter.Err);
        foreach (var ev in new[] { "ev1", "ev2" })
            Assert.Equal(testAcc, Events(Path.Combine(_dir, ev), "evaluate").Single().GetProperty("accuracy").GetDouble(), 10);

        // The adapter on a backbone of another width: every mismatching key with both shapes, exit code 1.
        string wide = Pretrain(data, "wide", 24);
        var (bad, _, badErr) = CliRunner.Run("evaluate", "--backbone", wide, "--adapter", adapter, "--threads", "1");
        Assert.Equal(1, bad);
        Assert.Contains("size mismatch", badErr);
        Assert.Contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight: adapter [2,16] vs model [2,24]", badErr);
    }

    [Fact]
    public void FullFineTuningLearnsTheSpeakersAndVerbalizersRun()
    {
        string data = Script(), backbone = Pretrain(data, "pre", 16), run = Path.Combine(_dir, "full");
        var (code, output, err) = CliRunner.Run(Finetune(backbone, data, run, "full", "--lr", "0.01"));
        Assert.True(code == 0, output + err);
        var epochs = Events(run, "epoch");
        Assert.True(epochs[^1].GetProperty("train_loss").GetDouble() < epochs[0].GetProperty("train_loss").GetDouble(), output);
        double majority = Events(run, "start").Single().GetProperty("majority_class_test_accuracy").GetDouble();
        Assert.True(Events(run, "test").Single().GetProperty("test_accuracy").GetDouble() >= majority + 0.2, output); // majority ≈ 0.27

        var (vc, vout, verr) = CliRunner.Run("evaluate", "--checkpoint", backbone, "--verbalizer", "--data", data, "--speakers", "4", "--val-fraction", "0.2",
            "--test-fraction", "0.2", "--template", "{label}:\\n{text}", "--shots", "1", "--demo-max-tokens", "10", "--out", Path.Combine(_dir, "verb"), "--threads", "1");
        Assert.True(vc == 0, vout + verr);
        var ev = Events(Path.Combine(_dir, "verb"), "evaluate").Single();
        Assert.Equal(1, ev.GetProperty("shots").GetInt32());
        Assert.Equal(48, ev.GetProperty("examples").GetInt32());
        Assert.InRange(ev.GetProperty("accuracy").GetDouble(), 0, 1);

        Assert.Equal(Program.UsageError, CliRunner.Run("finetune", "--backbone", backbone, "--method", "magic").Code);
        var noVerb = CliRunner.Run("evaluate", "--checkpoint", backbone, "--data", data, "--speakers", "4");
        Assert.Equal(Program.UsageError, noVerb.Code);
        Assert.Contains("--verbalizer", noVerb.Err);
    }
}
