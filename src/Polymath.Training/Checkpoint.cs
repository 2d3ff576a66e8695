using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Polymath.Training;

/// <summary>
/// Where training stood when a checkpoint was written, and what else was saved with it: the epoch and step counters,
/// the position inside an interrupted epoch, the random state, the data loader's seed and epoch, the history of epoch
/// metrics (so a resumed run's log and report continue), and free-form strings (model and data set names, options).
/// </summary>
public sealed class CheckpointInfo
{
    /// <summary>Epochs completed (the epoch to run next, 0-based).</summary>
    public int Epoch { get; set; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step { get; set; }

    /// <summary>Batches of epoch <see cref="Epoch"/> already trained on (0 at an epoch boundary; &gt; 0 after Ctrl-C).</summary>
    public int BatchInEpoch { get; set; }

    /// <summary>Sum of the batch losses of the interrupted epoch so far (with <see cref="BatchInEpoch"/>, its running mean).</summary>
    public double EpochLossSum { get; set; }

    /// <summary>State of <see cref="Random.Default"/> when saved.</summary>
    public GeneratorState? Random { get; set; }

    /// <summary>Seed of the training DataLoader (its shuffle order), or null.</summary>
    public ulong? LoaderSeed { get; set; }

    /// <summary>Finished epoch records, oldest first.</summary>
    public List<EpochRecord> History { get; set; } = [];

    /// <summary>Mean training loss per logging window: (step, loss) pairs for the report's loss curve.</summary>
    public List<(long Step, double Loss)> StepLosses { get; set; } = [];

    /// <summary>Free-form strings saved with the checkpoint (e.g. <c>model</c>, <c>dataset</c>, <c>batch_size</c>).</summary>
    public Dictionary<string, string> Extra { get; set; } = [];
}

/// <summary>
/// A checkpoint does not fit the objects it is loaded into. Every problem is listed, not only the first.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    internal CheckpointMismatchException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched, IReadOnlyList<string> other)
        : base(Describe(path, missing, unexpected, mismatched, other))
    {
        (MissingKeys, UnexpectedKeys, ShapeMismatches, OtherProblems) = (missing, unexpected, mismatched, other);
    }

    /// <summary>Model keys the checkpoint lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Checkpoint keys the model lacks.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Keys whose shapes differ, each as <c>key: checkpoint [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    /// <summary>Optimizer or scheduler problems.</summary>
    public IReadOnlyList<string> OtherProblems { get; }

    private static string Describe(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched, IReadOnlyList<string> other)
    {
        var sb = new StringBuilder($"checkpoint {path} does not fit:");
        if (missing.Count > 0) sb.Append($"\n  missing keys ({missing.Count}): ").Append(string.Join(", ", missing));
        if (unexpected.Count > 0) sb.Append($"\n  unexpected keys ({unexpected.Count}): ").Append(string.Join(", ", unexpected));
        if (mismatched.Count > 0) sb.Append($"\n  shape mismatches ({mismatched.Count}): ").Append(string.Join("; ", mismatched));
        foreach (var o in other) sb.Append("\n  ").Append(o);
        return sb.ToString();
    }
}

/// <summary>
/// Training checkpoints: model, optimizer and scheduler state, the random state and the trainer's counters in one
/// safetensors file. Tensors are stored as <c>model.&lt;state-dict key&gt;</c> and
/// <c>optimizer.state.&lt;param index&gt;.&lt;buffer&gt;</c>; everything else is JSON under the <c>polymath.checkpoint</c>
/// key of <c>__metadata__</c>. Files are written atomically (temporary file, flush, rename), so a crash or Ctrl-C during
/// a save leaves the previous checkpoint in place.
/// </summary>
public static class Checkpoint
{
    /// <summary>The <c>__metadata__</c> key holding the JSON.</summary>
    public const string MetadataKey = "polymath.checkpoint";

    /// <summary>Format tag written in the JSON.</summary>
    public const string Format = "polymath.checkpoint/1";

    /// <summary>Test hook: called with the stream after the tensors are written and before the rename.</summary>
    internal static Action<Stream>? AfterWriteHook { get; set; }

    /// <summary>Writes a checkpoint to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file (conventionally <c>*.safetensors</c>).</param>
    /// <param name="model">The model whose state dict is saved.</param>
    /// <param name="optimizer">Its optimizer, or null.</param>
    /// <param name="scheduler">The learning-rate scheduler, or null.</param>
    /// <param name="info">Counters and extras; null saves epoch 0, step 0. The random state is always the current <see cref="Random.Default"/> state.</param>
    /// <exception cref="IOException">The file cannot be written (any previous file is untouched).</exception>
    public static void Save(string path, Module model, Optimizer? optimizer = null, ILRScheduler? scheduler = null, CheckpointInfo? info = null)
    {
        info ??= new CheckpointInfo();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (key, t) in model.StateDict())
            tensors["model." + key] = t.Contiguous();
        var json = new JsonObject
        {
            ["format"] = Format,
            ["epoch"] = info.Epoch,
            ["step"] = info.Step,
            ["batch_in_epoch"] = info.BatchInEpoch,
            ["epoch_loss_sum"] = Json.Num(info.EpochLossSum),
            ["model_type"] = model.GetType().Name,
        };
        var rng = global::Polymath.Random.Default.GetState();
        json["rng"] = new JsonObject { ["seed"] = rng.Seed.ToString(CultureInfo.InvariantCulture), ["offset"] = rng.Offset.ToString(CultureInfo.InvariantCulture) };
        if (info.LoaderSeed is ulong ls)
            json["loader_seed"] = ls.ToString(CultureInfo.InvariantCulture);
        if (optimizer is not null)
        {
            var st = optimizer.StateDict();
            var groups = new JsonArray();
            foreach (var g in st.ParamGroups)
                groups.Add(new JsonObject
                {
                    ["params"] = new JsonArray(g.Params.Select(i => (JsonNode)i).ToArray()),
                    ["options"] = Json.Dict(g.Options),
                });
            var state = new JsonObject();
            foreach (var (index, entry) in st.State.OrderBy(kv => kv.Key))
            {
                state[index.ToString(CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["step"] = entry.Step,
                    ["buffers"] = new JsonArray(entry.Buffers.Keys.Select(k => (JsonNode)k).ToArray()),
                };
                foreach (var (name, buffer) in entry.Buffers)
                    tensors[$"optimizer.state.{index}.{name}"] = buffer.Contiguous();
            }
            json["optimizer"] = new JsonObject { ["type"] = st.Optimizer, ["param_groups"] = groups, ["state"] = state };
        }
        if (scheduler is not null)
        {
            var s = scheduler.StateDict();
            json["scheduler"] = new JsonObject
            {
                ["type"] = s.Scheduler,
                ["last_epoch"] = s.LastEpoch,
                ["step_count"] = s.StepCount,
                ["base_lrs"] = Json.Array(s.BaseLrs),
                ["last_lr"] = Json.Array(s.LastLr),
                ["extra"] = Json.Dict(s.Extra),
            };
        }
        json["history"] = new JsonArray(info.History.Select(r => (JsonNode)r.ToJson()).ToArray());
        json["step_losses"] = new JsonArray(info.StepLosses.Select(p => (JsonNode)new JsonArray(p.Step, Json.Num(p.Loss))).ToArray());
        var extra = new JsonObject();
        foreach (var (k, v) in info.Extra)
            extra[k] = v;
        json["extra"] = extra;
        var metadata = new Dictionary<string, string> { ["format"] = "pt", [MetadataKey] = json.ToJsonString() };
        AtomicFile.Write(path, stream =>
        {
            SafeTensors.Write(stream, tensors, metadata);
            AfterWriteHook?.Invoke(stream);
        });
    }

    /// <summary>Reads only the counters and extras of a checkpoint (no model needed).</summary>
    /// <exception cref="InvalidDataException">The file is not a Polymath checkpoint.</exception>
    public static CheckpointInfo ReadInfo(string path) => ParseInfo(path, ReadJson(path));

    /// <summary>Reads the model weights of a checkpoint as a state dict (keys without the <c>model.</c> prefix).</summary>
    public static Dictionary<string, Tensor> ReadModelState(string path) =>
        SafeTensors.Load(path).Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value);

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> (strictly: every key must be there with its shape), and into
    /// <paramref name="optimizer"/> and <paramref name="scheduler"/> when given; restores <see cref="Random.Default"/>
    /// when <paramref name="restoreRandom"/>. Nothing is changed unless everything fits.
    /// </summary>
    /// <returns>The counters and extras.</returns>
    /// <exception cref="CheckpointMismatchException">Missing, unexpected or mis-shaped keys, or optimizer/scheduler state that does not fit (all listed).</exception>
    /// <exception cref="InvalidDataException">The file is damaged or not a Polymath checkpoint.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static CheckpointInfo Load(string path, Module model, Optimizer? optimizer = null, ILRScheduler? scheduler = null, bool restoreRandom = true)
    {
        var json = ReadJson(path);
        var info = ParseInfo(path, json);
        var all = SafeTensors.Load(path);
        var modelState = all.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value);
        var own = model.StateDict();
        var missing = own.Keys.Where(k => !modelState.ContainsKey(k)).ToList();
        var unexpected = modelState.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Where(kv => modelState.TryGetValue(kv.Key, out var v) && !v.Shape.SequenceEqual(kv.Value.Shape))
            .Select(kv => $"{kv.Key}: checkpoint [{string.Join(",", modelState[kv.Key].Shape)}] vs model [{string.Join(",", kv.Value.Shape)}]").ToList();
        var other = new List<string>();
        OptimizerState? optState = null;
        if (optimizer is not null)
        {
            if (json["optimizer"] is not JsonObject o)
                other.Add("optimizer: the checkpoint holds no optimizer state");
            else
                optState = ParseOptimizer(o, all, other);
        }
        SchedulerState? schedState = null;
        if (scheduler is not null)
        {
            if (json["scheduler"] is not JsonObject s)
                other.Add("scheduler: the checkpoint holds no scheduler state");
            else
                schedState = new SchedulerState((string?)s["type"] ?? "", (int)s["last_epoch"]!, (int)s["step_count"]!,
                    Json.Doubles(s["base_lrs"]), Json.Doubles(s["last_lr"]), Json.ReadDict(s["extra"]));
        }
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0 || other.Count > 0)
            throw new CheckpointMismatchException(path, missing, unexpected, mismatched, other);

        // Validate optimizer and scheduler against the live objects before changing anything.
        var optBackup = optimizer?.StateDict();
        var schedBackup = scheduler?.StateDict();
        try
        {
            if (optState is not null) optimizer!.LoadStateDict(optState);
            if (schedState is not null) scheduler!.LoadStateDict(schedState);
        }
        catch (ArgumentException e)
        {
            if (optBackup is not null) optimizer!.LoadStateDict(optBackup);
            if (schedBackup is not null) scheduler!.LoadStateDict(schedBackup);
            throw new CheckpointMismatchException(path, [], [], [], [e.Message]);
        }
        model.LoadStateDict(modelState, strict: true);
        if (restoreRandom && info.Random is GeneratorState rs)
            global::Polymath.Random.Default.SetState(rs);
        return info;
    }

    private static OptimizerState ParseOptimizer(JsonObject o, Dictionary<string, Tensor> tensors, List<string> problems)
    {
        var groups = new List<ParamGroupState>();
        foreach (var g in o["param_groups"]!.AsArray())
            groups.Add(new ParamGroupState(g!["params"]!.AsArray().Select(i => (int)i!).ToList(), Json.ReadDict(g["options"])));
        var state = new Dictionary<int, ParamStateEntry>();
        foreach (var (key, value) in o["state"]!.AsObject())
        {
            int index = int.Parse(key, CultureInfo.InvariantCulture);
            var buffers = new Dictionary<string, Tensor>();
            foreach (var b in value!["buffers"]!.AsArray())
            {
                string name = (string)b!;
                if (tensors.TryGetValue($"optimizer.state.{index}.{name}", out var t))
                    buffers[name] = t;
                else
                    problems.Add($"optimizer: tensor optimizer.state.{index}.{name} is missing");
            }
            state[index] = new ParamStateEntry((long)value["step"]!, buffers);
        }
        return new OptimizerState((string?)o["type"] ?? "", groups, state);
    }

    private static JsonObject ReadJson(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"checkpoint {path} does not exist.", path);
        var meta = SafeTensors.LoadMetadata(path);
        if (!meta.TryGetValue(MetadataKey, out var text))
            throw new InvalidDataException($"{path}: a safetensors file without Polymath checkpoint metadata ('{MetadataKey}' in __metadata__); load plain weights with Checkpoint.ReadModelState or SafeTensors.Load.");
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: checkpoint metadata is not a JSON object.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path}: checkpoint metadata is not valid JSON: {e.Message}", e);
        }
    }

    private static CheckpointInfo ParseInfo(string path, JsonObject json)
    {
        if ((string?)json["format"] != Format)
            throw new InvalidDataException($"{path}: checkpoint format '{(string?)json["format"]}', expected '{Format}'.");
        var info = new CheckpointInfo
        {
            Epoch = (int)json["epoch"]!,
            Step = (long)json["step"]!,
            BatchInEpoch = (int?)json["batch_in_epoch"] ?? 0,
            EpochLossSum = Json.Read(json["epoch_loss_sum"]),
        };
        if (json["rng"] is JsonObject rng)
            info.Random = new GeneratorState(ulong.Parse((string)rng["seed"]!, CultureInfo.InvariantCulture), ulong.Parse((string)rng["offset"]!, CultureInfo.InvariantCulture));
        if (json["loader_seed"] is JsonNode ls)
            info.LoaderSeed = ulong.Parse((string)ls!, CultureInfo.InvariantCulture);
        if (json["history"] is JsonArray h)
            info.History = h.Select(r => EpochRecord.FromJson(r!.AsObject())).ToList();
        if (json["step_losses"] is JsonArray sl)
            info.StepLosses = sl.Select(p => ((long)p![0]!, Json.Read(p[1]))).ToList();
        if (json["extra"] is JsonObject e)
            foreach (var (k, v) in e)
                info.Extra[k] = (string?)v ?? "";
        return info;
    }
}

/// <summary>JSON helpers that keep doubles exact and carry non-finite values as strings.</summary>
internal static class Json
{
    public static JsonNode Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    public static double Read(JsonNode? node)
    {
        if (node is null)
            return double.NaN;
        if (node is JsonValue v && v.TryGetValue(out double d))
            return d;
        return double.Parse((string)node!, CultureInfo.InvariantCulture);
    }

    public static JsonArray Array(IEnumerable<double> values) => new(values.Select(Num).ToArray());

    public static double[] Doubles(JsonNode? node) => node is JsonArray a ? a.Select(Read).ToArray() : [];

    public static JsonObject Dict(IEnumerable<KeyValuePair<string, double>> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values)
            o[k] = Num(v);
        return o;
    }

    public static Dictionary<string, double> ReadDict(JsonNode? node)
    {
        var d = new Dictionary<string, double>();
        if (node is JsonObject o)
            foreach (var (k, v) in o)
                d[k] = Read(v);
        return d;
    }
}
