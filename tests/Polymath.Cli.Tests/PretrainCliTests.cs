using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Polymath.Cli;
using Xunit;

namespace Polymath.Cli.Tests;

/// <summary><c>polymath pretrain gpt</c> and <c>polymath generate</c> on a tiny model and a small generated text.</summary>
[Collection("console")]
public sealed class PretrainCliTests : IDisposable
{
    // Not bit-exact: Tensor.Sum over a whole tensor (Kernels/Reduction.cs) starts its SIMD lanes at a 64-byte boundary,
    // so its rounding depends on where the array was allocated; two identical runs differ in the last bit of some
    // losses and clip norms. Resume is exact in everything it restores (weights, AdamW, schedule, random state).
    private const double ResumeTolerance = 1e-5;

    private readonly string _dir = Directory.CreateTempSubdirectory("polymath-pretrain-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Data()
    {
        // A text with structure a 1-layer model learns in a few dozen steps (seeded, so every run sees the same file).
        var r = new System.Random(5);
        string[] words = ["the cat", "a dog", "my bird", "her fish"];
        string[] verbs = ["sat on", "ran to", "looked at"];
        var lines = Enumerable.Range(0, 400).Select(_ => $"{words[r.Next(4)]} {verbs[r.Next(3)]} {words[r.Next(4)]}.");
        string path = Path.Combine(_dir, "text.txt");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string[] Tiny(string data, string outDir, int steps) =>
    [
        "pretrain", "gpt", "--data", data, "--out", outDir, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--layers", "1", "--embd", "16", "--heads", "2",
        "--context", "16", "--batch-size", "8", "--eval-every", "10", "--eval-batches", "2", "--sample-every", "20", "--sample-tokens", "12",
        "--warmup", "5", "--lr", "0.01", "--log-every", "10", "--progress", "plain", "--threads", "1",
    ];

    private static List<JsonElement> Events(string outDir, string name) =>
        File.ReadAllLines(Path.Combine(outDir, "run.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == name).ToList();

    [Fact]
    public void PretrainLearnsRecordsTheRunAndResumesExactly()
    {
        string data = Data(), a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        var (code, output, err) = CliRunner.Run(Tiny(data, a, 40));
        Assert.True(code == 0, output + err);
        Assert.Contains("--- sample at step 20 ---", output);
        foreach (var f in new[] { "last.safetensors", "best.safetensors", "report.html", "run.jsonl" })
            Assert.True(File.Exists(Path.Combine(a, f)), $"{f} missing in {a}");
        var start = Events(a, "start").Single();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), start.GetProperty("dataset_sha256").GetString());
        Assert.Equal(1337, start.GetProperty("seed").GetInt32());
        Assert.Equal(16, start.GetProperty("options").GetProperty("Context").GetInt32());
        var evals = Events(a, "eval").Select(e => e.GetProperty("val_loss").GetDouble()).ToList();
        Assert.Equal(4, evals.Count);
        Assert.True(evals[^1] < evals[0] - 0.5, $"validation loss went from {evals[0]} to {evals[^1]}");

        // Stop at step 30 of the same 40-step schedule, then resume: the same numbers as 40 in one go.
        Assert.Equal(0, CliRunner.Run([.. Tiny(data, b, 40), "--stop-at", "30"]).Code);
        Assert.Equal(30, Events(b, "end").Single().GetProperty("step").GetInt32());
        var (rc, rout, rerr) = CliRunner.Run("pretrain", "gpt", "--resume", Path.Combine(b, "last.safetensors"), "--progress", "plain", "--threads", "1");
        Assert.True(rc == 0, rout + rerr);
        double resumed = Events(b, "eval").Last().GetProperty("val_loss").GetDouble();
        Assert.True(Math.Abs(resumed - evals[^1]) <= ResumeTolerance, $"resumed run ends at val loss {resumed}, the uninterrupted one at {evals[^1]}");

        // Shape options cannot change on resume.
        var (bad, _, badErr) = CliRunner.Run("pretrain", "gpt", "--resume", Path.Combine(b, "last.safetensors"), "--layers", "2");
        Assert.Equal(Program.UsageError, bad);
        Assert.Contains("--layers cannot change when resuming", badErr);
    }

    [Fact]
    public void Fp16ResumeContinuesTheLossScale()
    {
        // The GradScaler's state (scale and steps since its last change) travels in the checkpoint: a run stopped at
        // step 30 and resumed ends with the same state as 40 steps in one go (a fresh scaler would count 10, not 40).
        string data = Data(), a = Path.Combine(_dir, "fa"), b = Path.Combine(_dir, "fb");
        var whole = CliRunner.Run([.. Tiny(data, a, 40), "--precision", "fp16"]);
        Assert.True(whole.Code == 0, whole.Out + whole.Err);
        Assert.Equal(0, CliRunner.Run([.. Tiny(data, b, 40), "--precision", "fp16", "--stop-at", "30"]).Code);
        var (rc, rout, rerr) = CliRunner.Run("pretrain", "gpt", "--resume", Path.Combine(b, "last.safetensors"), "--progress", "plain", "--threads", "1");
        Assert.True(rc == 0, rout + rerr);
        Assert.DoesNotContain("holds no GradScaler state", rerr);
        string expected = Polymath.Training.Checkpoint.ReadInfo(Path.Combine(a, "last.safetensors")).Extra[Polymath.Scale.Amp.GradScaler.CheckpointKey];
        string resumed = Polymath.Training.Checkpoint.ReadInfo(Path.Combine(b, "last.safetensors")).Extra[Polymath.Scale.Amp.GradScaler.CheckpointKey];
        Assert.Equal(expected, resumed);
        Assert.Contains("\"growth_tracker\":40", expected.Replace(" ", ""));
    }

    [Fact]
    public void CancellingSavesTheCheckpointAndExitsWith130()
    {
        string data = Data(), outDir = Path.Combine(_dir, "cancelled");
        using var cts = new CancellationTokenSource();
        cts.Cancel(); // as Ctrl-C before the first step: the loop stops at once and still saves
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        int code;
        try
        {
            code = PretrainCommand.Run(Tiny(data, outDir, 40)[1..], cts.Token);
        }
        finally
        {
            Console.SetOut(stdout);
        }
        Assert.Equal(130, code);
        Assert.True(File.Exists(Path.Combine(outDir, "last.safetensors")));
        Assert.Equal("cancelled", Events(outDir, "end").Single().GetProperty("reason").GetString());
    }

    [Fact]
    public void GenerateIsSeededAndCutsLongPrompts()
    {
        string data = Data(), outDir = Path.Combine(_dir, "g");
        Assert.Equal(0, CliRunner.Run(Tiny(data, outDir, 10)).Code);
        string ckpt = Path.Combine(outDir, "last.safetensors");
        var first = CliRunner.Run("generate", "--checkpoint", ckpt, "--prompt", "the cat", "--max-new-tokens", "20", "--seed", "4", "--top-k", "5", "--threads", "1");
        var again = CliRunner.Run("generate", "--checkpoint", ckpt, "--prompt", "the cat", "--max-new-tokens", "20", "--seed", "4", "--top-k", "5", "--threads", "1", "--no-cache");
        Assert.Equal(0, first.Code);
        Assert.StartsWith("the cat", first.Out);
        Assert.Equal(first.Out, again.Out); // seeded, and the cache changes nothing
        var (code, output, err) = CliRunner.Run("generate", "--checkpoint", ckpt, "--prompt", string.Concat(Enumerable.Repeat("the dog sat. ", 3)), "--max-new-tokens", "3", "--threads", "1");
        Assert.Equal(0, code);
        Assert.Contains("the prompt has 39 tokens, more than the context of 16; only its last 16 tokens are used", err);
        Assert.Equal(16 + 3 + Environment.NewLine.Length, output.Length);
        var unknown = CliRunner.Run("generate", "--checkpoint", ckpt, "--prompt", "Zebra", "--threads", "1");
        Assert.Equal(1, unknown.Code);
        Assert.Contains("U+005A ('Z') at index 0 is not in the vocabulary", unknown.Err);
    }

    [Fact]
    public void GenerateReadsAHuggingFaceCheckpointWithItsTokenizerFiles()
    {
        // A GPT-2-layout model.safetensors (no Polymath metadata) beside vocab.json and merges.txt, as downloaded.
        string dir = Path.Combine(_dir, "hf");
        var bpe = Polymath.Data.Tokenizers.ByteLevelBpeTokenizer.Train("low lower lowest newer newest wider widest", 270, ["<|endoftext|>"], minFrequency: 1);
        bpe.Save(dir);
        var model = new Polymath.Models.Gpt.GptModel(new Polymath.Models.Gpt.GptConfig
            { VocabSize = bpe.VocabSize, ContextLength = 32, EmbeddingDim = 16, Layers = 1, Heads = 2 }, new Generator(1));
        Polymath.Data.SafeTensors.Save(Path.Combine(dir, "model.safetensors"), model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value));
        var (code, output, err) = CliRunner.Run("generate", "--checkpoint", Path.Combine(dir, "model.safetensors"), "--heads", "2",
            "--prompt", "lower", "--max-new-tokens", "4", "--greedy", "--threads", "1");
        Assert.True(code == 0, output + err);
        var expected = model.Generate(bpe.Encode("lower").Select(i => (long)i).ToArray(), 4, Polymath.Models.Gpt.SamplingOptions.Greedy);
        Assert.Equal(bpe.Decode(expected.Select(i => (int)i).ToArray()) + Environment.NewLine, output);
    }

    [Fact]
    public void PretrainWithBpe()
    {
        string data = Data(), outDir = Path.Combine(_dir, "bpe");
        var args = Tiny(data, outDir, 10).Concat(["--tokenizer", "bpe", "--vocab-size", "300"]).ToArray();
        var (code, output, err) = CliRunner.Run(args);
        Assert.True(code == 0, output + err);
        Assert.Matches("bpe tokenizer with [0-9]+ tokens", output); // at most 300: a small corpus may run out of pairs seen twice
        var gen = CliRunner.Run("generate", "--checkpoint", Path.Combine(outDir, "last.safetensors"), "--prompt", "the cat", "--max-new-tokens", "5", "--threads", "1");
        Assert.Equal(0, gen.Code);
        Assert.StartsWith("the cat", gen.Out);
    }
}
