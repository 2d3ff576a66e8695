using System.Globalization;
using System.Text.Json;
using Polymath.Data;
using Polymath.Data.Tokenizers;
using Polymath.Models.Gpt;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// <c>polymath generate</c>: continues a prompt with a GPT checkpoint written by <c>polymath pretrain gpt</c>, or with a
/// Hugging Face GPT-2 <c>model.safetensors</c> plus its <c>vocab.json</c> and <c>merges.txt</c>. A prompt longer than
/// the context window keeps its last tokens, with a warning on standard error.
/// </summary>
internal static class GenerateCommand
{
    internal static readonly string[] ValueOptions =
        ["--checkpoint", "--prompt", "--temperature", "--top-k", "--top-p", "--max-new-tokens", "--seed", "--threads", "--tokenizer-dir", "--heads"];

    internal static readonly string[] FlagOptions = ["--greedy", "--no-cache"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("generate");
            return 0;
        }
        var args = new Args("generate", argv);
        string checkpoint = args.Value("--checkpoint") ?? throw new UsageException("--checkpoint is required.", "generate");
        string prompt = args.Value("--prompt") ?? "\n";
        double temperature = args.Double("--temperature", 0, 100) ?? 0.8;
        int? topK = args.Int("--top-k", 1, int.MaxValue);
        double? topP = args.Double("--top-p", 1e-9, 1);
        int maxNew = args.Int("--max-new-tokens", 0, 1_000_000) ?? 500;
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 1337;
        int? threads = args.Int("--threads", 1, 1024);
        string? tokenizerDir = args.Value("--tokenizer-dir");
        int? heads = args.Int("--heads", 1, 1024);
        bool greedy = args.Flag("--greedy"), noCache = args.Flag("--no-cache");
        args.End(ValueOptions);
        if (!File.Exists(checkpoint))
            throw new UsageException($"--checkpoint: '{checkpoint}' does not exist.", "generate");
        if (threads is int t)
            Threads.Count = t;

        var (model, tokenizer) = Load(checkpoint, tokenizerDir, heads);
        var ids = tokenizer.Encode(prompt).Select(i => (long)i).ToArray();
        if (ids.Length == 0)
            throw new UsageException("--prompt encodes to no tokens; give some text.", "generate");
        int context = model.Config.ContextLength;
        if (ids.Length > context)
        {
            Console.Error.WriteLine($"polymath generate: warning: the prompt has {ids.Length} tokens, more than the context of {context}; only its last {context} tokens are used.");
            ids = ids[^context..];
        }
        var options = new SamplingOptions { Temperature = greedy ? 0 : temperature, TopK = topK, TopP = topP, Seed = (ulong)seed, UseCache = !noCache };
        Console.Write(tokenizer.Decode(ids.Select(i => (int)i).ToArray()));
        // Print as tokens arrive; a multi-byte character split across BPE tokens is printed once complete.
        var pending = new List<int>();
        model.Generate(ids, maxNew, options, id =>
        {
            cancel.ThrowIfCancellationRequested();
            pending.Add((int)id);
            string text = tokenizer.Decode(pending.ToArray());
            if (!text.EndsWith('\uFFFD'))
            {
                Console.Write(text);
                pending.Clear();
            }
        });
        if (pending.Count > 0)
            Console.Write(tokenizer.Decode(pending.ToArray()));
        Console.WriteLine();
        return 0;
    }

    internal static (GptModel Model, ITokenizer Tokenizer) Load(string checkpoint, string? tokenizerDir, int? heads)
    {
        var metadata = SafeTensors.LoadMetadata(checkpoint);
        if (metadata.ContainsKey(Checkpoint.MetadataKey))
        {
            var info = Checkpoint.ReadInfo(checkpoint);
            if (!info.Extra.TryGetValue("gpt_config", out var configJson))
                throw new UsageException($"--checkpoint: '{checkpoint}' is not a GPT checkpoint (no gpt_config recorded; was it written by polymath pretrain gpt?).", "generate");
            var config = JsonSerializer.Deserialize<GptConfig>(configJson)!;
            var model = new GptModel(config);
            var result = model.LoadStateDict(Checkpoint.ReadModelState(checkpoint));
            if (result.MissingKeys.Count > 0 || result.UnexpectedKeys.Count > 0)
                throw new InvalidDataException($"{checkpoint}: missing keys {string.Join(", ", result.MissingKeys)}; unexpected keys {string.Join(", ", result.UnexpectedKeys)}.");
            return (model, GptPretraining.LoadTokenizer(info.Extra));
        }
        // A Hugging Face GPT-2 model.safetensors: the tokenizer files sit beside it or in --tokenizer-dir.
        string dir = tokenizerDir ?? Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        string vocab = Path.Combine(dir, "vocab.json"), merges = Path.Combine(dir, "merges.txt");
        if (!File.Exists(vocab) || !File.Exists(merges))
            throw new UsageException($"--checkpoint: '{checkpoint}' is not a Polymath checkpoint, and no GPT-2 tokenizer (vocab.json, merges.txt) was found in {dir}; pass --tokenizer-dir.", "generate");
        var hf = GptPretrained.FromHuggingFace(SafeTensors.Load(checkpoint), heads);
        return (hf, ByteLevelBpeTokenizer.Load(vocab, merges));
    }
}
