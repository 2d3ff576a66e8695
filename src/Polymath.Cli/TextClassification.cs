using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.Models.Peft;
using Polymath.NN;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>Everything <c>polymath finetune</c> was asked to do; recorded in the run log and the checkpoint, and read back by <c>polymath evaluate</c>.</summary>
internal sealed record FinetuneOptions
{
    public string Backbone { get; init; } = "";
    public string Method { get; init; } = "lora";
    public string Data { get; init; } = "";
    public int Speakers { get; init; } = 10;
    public int MaxTokens { get; init; } = 128;
    public double ValFraction { get; init; } = 0.1;
    public double TestFraction { get; init; } = 0.1;
    public int SplitSeed { get; init; }
    public string Pooling { get; init; } = "mean";
    public int Epochs { get; init; } = 4;
    public int BatchSize { get; init; } = 16;
    public double Lr { get; init; }
    public double WeightDecay { get; init; } = 0.01;
    public double WarmupFraction { get; init; } = 0.1;
    public double GradClip { get; init; } = 1.0;
    public int LoraRank { get; init; } = 4;
    public double LoraAlpha { get; init; } = 8;
    public double LoraDropout { get; init; } = 0.05;
    public string LoraTargets { get; init; } = @"c_attn|attn\.c_proj";
    public int AdapterDim { get; init; } = 16;
    public int PrefixLength { get; init; } = 10;
    public int FreezeLastBlocks { get; init; }
    public double? TrainFraction { get; init; }
    public int Seed { get; init; } = 1337;

    /// <summary>The learning rate used: --lr, or the method's default (smaller for full fine-tuning, larger for prefixes).</summary>
    public double EffectiveLr => Lr > 0 ? Lr : Method switch { "full" => 3e-4, "prefix" => 1e-2, _ => 2e-3 };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static FinetuneOptions FromJson(string json) =>
        JsonSerializer.Deserialize<FinetuneOptions>(json) ?? throw new InvalidDataException("checkpoint: empty fine-tuning options.");

    public IEnumerable<(string Name, string Value)> Rows()
    {
        foreach (var p in typeof(FinetuneOptions).GetProperties().Where(p => p.Name != nameof(EffectiveLr)))
            yield return (p.Name, Convert.ToString(p.GetValue(this), CultureInfo.InvariantCulture) ?? "");
    }
}

/// <summary>The speaker-identification task and the GPT text classifier shared by <c>polymath finetune</c> and <c>polymath evaluate</c>.</summary>
internal static class TextClassification
{
    public static readonly string[] Methods = ["full", "freeze", "lora", "adapter", "prefix"];

    /// <summary>The task's data: the text file, its SHA-256 and the split.</summary>
    public static (SpeakerDataset Task, string Sha256) LoadTask(string command, string data, int speakers, double valFraction, double testFraction, int splitSeed)
    {
        if (!File.Exists(data))
            throw new UsageException($"--data: '{data}' does not exist.", command);
        byte[] raw = File.ReadAllBytes(data);
        string text = System.Text.Encoding.UTF8.GetString(raw);
        try
        {
            return (SpeakerDataset.Create(text, speakers, (ulong)splitSeed, valFraction, testFraction), Convert.ToHexStringLower(SHA256.HashData(raw)));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--data '{data}': {e.Message}", command);
        }
    }

    /// <summary>A GPT language model and its tokenizer from a <c>polymath pretrain gpt</c> checkpoint (or a Hugging Face GPT-2).</summary>
    public static (GptModel Model, ITokenizer Tokenizer) LoadBackbone(string command, string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"--backbone: '{path}' does not exist.", command);
        return GenerateCommand.Load(path, null, null);
    }

    /// <summary>Token ids of <paramref name="text"/>, cut to its first <paramref name="maxTokens"/> tokens.</summary>
    public static long[] Encode(ITokenizer tokenizer, string text, int maxTokens)
    {
        var ids = tokenizer.Encode(text);
        return [.. ids.Take(maxTokens).Select(i => (long)i)];
    }

    /// <summary>The classifier over <paramref name="lm"/>'s body with the method's trainable parts (everything else frozen).</summary>
    public static GptForSequenceClassification Build(GptModel lm, FinetuneOptions o, int numLabels, Func<string, long[]> encodeForPrefix, string prefixInitText)
    {
        var pooling = o.Pooling == "last" ? Pooling.Last : Pooling.Mean;
        var clf = new GptForSequenceClassification(lm.Transformer, lm.Config, numLabels, pooling);
        string[] head = ["score"];
        switch (o.Method)
        {
            case "full":
                clf.RequiresGrad_(true);
                break;
            case "freeze":
                clf.FreezeBackbone(o.FreezeLastBlocks);
                break;
            case "lora":
                Lora.Apply(clf, new LoraConfig { Rank = o.LoraRank, Alpha = o.LoraAlpha, Dropout = o.LoraDropout, TargetModules = o.LoraTargets }, head);
                break;
            case "adapter":
                Adapters.Apply(clf, o.AdapterDim, keepTrainable: head);
                break;
            case "prefix":
                var prefix = clf.AddPrefix(new PrefixEncoder(lm.Config, o.PrefixLength, lm.Transformer.Wte.Weight.DType));
                var ids = encodeForPrefix(prefixInitText);
                if (ids.Length >= o.PrefixLength)
                    prefix.InitFromText(lm.Transformer, ids[..o.PrefixLength]);
                Lora.FreezeAllBut(clf, n => n.StartsWith("prefix_encoder.", StringComparison.Ordinal), head);
                break;
            default:
                throw new ArgumentException($"unknown method '{o.Method}'.");
        }
        return clf;
    }

    /// <summary>Batches of (ids [B, T] right-padded with 0, lengths, labels [B]) in the given order.</summary>
    public static IEnumerable<(Tensor Ids, int[] Lengths, Tensor Labels)> Batches(IReadOnlyList<(long[] Ids, int Label)> data, IReadOnlyList<int> order, int batchSize)
    {
        for (int start = 0; start < order.Count; start += batchSize)
        {
            var rows = order.Skip(start).Take(batchSize).Select(i => data[i]).ToList();
            int t = rows.Max(r => r.Ids.Length);
            var ids = new long[rows.Count * t];
            for (int i = 0; i < rows.Count; i++)
                rows[i].Ids.CopyTo(ids, i * t);
            yield return (Tensor.From(ids, rows.Count, t), [.. rows.Select(r => r.Ids.Length)], Tensor.From([.. rows.Select(r => (long)r.Label)], rows.Count));
        }
    }

    /// <summary>Mean loss, accuracy and the predictions on <paramref name="data"/> (evaluation mode, no gradients).</summary>
    public static (double Loss, double Accuracy, long[] Predicted) Evaluate(GptForSequenceClassification clf, IReadOnlyList<(long[] Ids, int Label)> data, int batchSize, CancellationToken cancel)
    {
        bool wasTraining = clf.Training;
        clf.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            // Sorted by length so batches carry little padding; predictions go back to the original order.
            var order = Enumerable.Range(0, data.Count).OrderBy(i => data[i].Ids.Length).ToList();
            var predicted = new long[data.Count];
            double lossSum = 0;
            int pos = 0, correct = 0;
            foreach (var (ids, lengths, labels) in Batches(data, order, batchSize))
            {
                cancel.ThrowIfCancellationRequested();
                var logits = clf.Forward(ids, lengths);
                lossSum += Losses.CrossEntropy(logits, labels).Item() * lengths.Length;
                var pred = Metrics.Predictions(logits);
                for (int i = 0; i < pred.Length; i++, pos++)
                {
                    predicted[order[pos]] = pred[i];
                    if (pred[i] == data[order[pos]].Label) correct++;
                }
            }
            return (lossSum / data.Count, (double)correct / data.Count, predicted);
        }
        finally
        {
            clf.Train(wasTraining);
        }
    }

    /// <summary>Accuracy, macro F1 and the confusion matrix printed as <c>polymath eval</c> does.</summary>
    public static void PrintMetrics(long[] predicted, IReadOnlyList<int> actual, IReadOnlyList<string> labels)
    {
        var cm = Metrics.ConfusionMatrix(predicted, [.. actual.Select(a => (long)a)], labels.Count);
        var prf = Metrics.PrecisionRecallF1(cm);
        var inv = CultureInfo.InvariantCulture;
        double acc = predicted.Where((p, i) => p == actual[i]).Count() / (double)actual.Count;
        Console.WriteLine(string.Create(inv, $"  accuracy         {acc:F4}  ({predicted.Where((p, i) => p == actual[i]).Count()}/{actual.Count})"));
        Console.WriteLine(string.Create(inv, $"  f1_macro         {prf.MacroF1:F4}"));
        Console.WriteLine("confusion matrix (rows: true speaker, columns: predicted):");
        int c = labels.Count;
        Console.WriteLine("      " + string.Concat(Enumerable.Range(0, c).Select(j => j.ToString(inv).PadLeft(5))));
        for (int i = 0; i < c; i++)
            Console.WriteLine(i.ToString(inv).PadLeft(4) + "  " + string.Concat(Enumerable.Range(0, c).Select(j => cm[i, j].ToString(inv).PadLeft(5))) + "  " + labels[i]);
    }
}
