using System.Globalization;
using System.Text;
using Polymath.Data;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary><c>polymath predict</c>: classifies 28×28 grey images (an IDX image file, or PGM files) with a checkpoint.</summary>
internal static class PredictCommand
{
    internal static readonly string[] ValueOptions = ["--checkpoint", "--input", "--top", "--limit", "--threads", "--config"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("predict");
            return 0;
        }
        argv = TrainCommand.ApplyConfig("predict", argv, ValueOptions, []);
        var args = new Args("predict", argv);
        string checkpoint = args.Value("--checkpoint") ?? throw new UsageException("--checkpoint is required.", "predict");
        var inputs = args.Values("--input");
        if (inputs.Count == 0)
            throw new UsageException("--input is required (an IDX image file such as t10k-images-idx3-ubyte.gz, or .pgm images).", "predict");
        int top = args.Int("--top", 1, 10) ?? 1;
        int limit = args.Int("--limit", 1, int.MaxValue) ?? 20;
        int? threads = args.Int("--threads", 1, 1024);
        args.End(ValueOptions);
        if (threads is int t)
            Threads.Count = t;
        var (net, info) = EvalCommand.LoadModel("predict", checkpoint);
        string dataset = info.Extra.GetValueOrDefault("dataset") ?? "mnist";
        var names = TrainingSetup.ClassNames(dataset);
        var images = new List<(string Name, float[] Pixels)>();
        foreach (var input in inputs)
            images.AddRange(Read(input, limit - images.Count));
        if (images.Count == 0)
            throw new InvalidDataException("no images in the input.");
        var x = TrainingSetup.Standardize(dataset, Tensor.From(images.SelectMany(i => i.Pixels).ToArray(), images.Count, 1, 28, 28));
        var probs = Trainer.Predict(net, [x]).Softmax(-1);
        var p = probs.ToArray();
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < images.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var ranked = Enumerable.Range(0, 10).OrderByDescending(c => p[i * 10 + c]).Take(top);
            Console.WriteLine($"{images[i].Name}: " + string.Join(", ", ranked.Select(c => $"{c}{(names[c] == c.ToString(inv) ? "" : " " + names[c])} ({(p[i * 10 + c] * 100).ToString("F1", inv)}%)")));
        }
        return 0;
    }

    private static IEnumerable<(string, float[])> Read(string path, int limit)
    {
        if (!File.Exists(path))
            throw new UsageException($"--input: '{path}' does not exist.", "predict");
        if (path.EndsWith(".pgm", StringComparison.OrdinalIgnoreCase))
            return [(Path.GetFileName(path), ReadPgm(path))];
        var idx = Idx.Read(path);
        if (idx.Type != IdxType.UByte || idx.Shape.Count != 3 || idx.Shape[1] != 28 || idx.Shape[2] != 28)
            throw new InvalidDataException($"{path}: expected unsigned bytes [N, 28, 28], got {idx.Type} [{string.Join(",", idx.Shape)}].");
        int n = Math.Min(idx.Shape[0], limit);
        var bytes = idx.Bytes!;
        return Enumerable.Range(0, n).Select(i => ($"{Path.GetFileName(path)}[{i}]", bytes.AsSpan(i * 784, 784).ToArray().Select(b => b / 255f).ToArray()));
    }

    /// <summary>Reads a 28×28 binary (P5) or text (P2) PGM with 8-bit values.</summary>
    internal static float[] ReadPgm(string path)
    {
        var data = File.ReadAllBytes(path);
        int pos = 0;
        string Token()
        {
            while (pos < data.Length && (char.IsWhiteSpace((char)data[pos]) || data[pos] == '#'))
            {
                if (data[pos] == '#') while (pos < data.Length && data[pos] != '\n') pos++;
                else pos++;
            }
            var sb = new StringBuilder();
            while (pos < data.Length && !char.IsWhiteSpace((char)data[pos])) sb.Append((char)data[pos++]);
            return sb.ToString();
        }
        string magic = Token();
        if (magic is not ("P5" or "P2"))
            throw new InvalidDataException($"{path}: not a PGM image (magic '{magic}', expected P5 or P2).");
        int w = int.Parse(Token(), CultureInfo.InvariantCulture), h = int.Parse(Token(), CultureInfo.InvariantCulture), max = int.Parse(Token(), CultureInfo.InvariantCulture);
        if (w != 28 || h != 28 || max is < 1 or > 255)
            throw new InvalidDataException($"{path}: expected a 28x28 8-bit image, got {w}x{h} with maximum {max}.");
        var pixels = new float[784];
        if (magic == "P5")
        {
            pos++;
            if (data.Length - pos < 784)
                throw new InvalidDataException($"{path}: truncated pixel data ({data.Length - pos} of 784 bytes).");
            for (int i = 0; i < 784; i++) pixels[i] = data[pos + i] / (float)max;
        }
        else
        {
            for (int i = 0; i < 784; i++) pixels[i] = int.Parse(Token(), CultureInfo.InvariantCulture) / (float)max;
        }
        return pixels;
    }
}
