using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polymath.Learn;

namespace Polymath.Learn.Bench;

/// <summary>
/// Fit times of Polymath.Learn next to scikit-learn, measured in the same run on the same data (the C# side writes
/// the matrices as raw float64 for bench/peers/sklearn_fit.py). Ratio = sklearn / ours: above 1 means Polymath is faster.
/// Usage: dotnet run --project bench/Polymath.Learn.Bench -c Release -- [--quick] [--threads N] [--filter TEXT] [--json] [--no-peer]
/// </summary>
public static class Program
{
    private sealed record Workload(string Name, string Model, Func<Estimator> Ours, JsonObject Params, double[,] X, double[] Y, int Reps, bool Standardise);

    public static int Main(string[] args)
    {
        bool quick = args.Contains("--quick"), json = args.Contains("--json"), noPeer = args.Contains("--no-peer");
        int threads = Environment.ProcessorCount;
        string? filter = null;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--threads") threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--filter") filter = args[i + 1];
        }
        var root = FindRoot();
        var (digitsX, digitsY) = LoadDigits(root);
        int bigRows = quick ? 10_000 : 100_000;
        var (bigX, bigY) = Synthetic(bigRows, 20, seed: 1);
        var (svcX, svcY) = Synthetic(quick ? 2_000 : 10_000, 20, seed: 2);
        var (pcaX, _) = Synthetic(bigRows, 50, seed: 3);
        string big = quick ? "10k" : "100k";
        int reps = quick ? 1 : 3;
        var workloads = new List<Workload>
        {
            new("logistic_digits", "logistic", () => new LogisticRegression(), new() { ["max_iter"] = 100 }, digitsX, digitsY, reps, true),
            new($"logistic_{big}x20", "logistic", () => new LogisticRegression(), new() { ["max_iter"] = 100 }, bigX, bigY, reps, true),
            new("svc_rbf_digits", "svc", () => new SVC { Threads = threads }, new(), digitsX, digitsY, reps, true),
            new($"svc_rbf_{svcX.GetLength(0) / 1000}kx20", "svc", () => new SVC { Threads = threads }, new(), svcX, svcY, 1, true),
            new("forest100_digits", "forest", () => new RandomForestClassifier { NEstimators = 100, Threads = threads }, new() { ["n_estimators"] = 100 }, digitsX, digitsY, reps, false),
            new($"forest100_{big}x20", "forest", () => new RandomForestClassifier { NEstimators = 100, Threads = threads }, new() { ["n_estimators"] = 100 }, bigX, bigY, 1, false),
            new("pca10_digits_full", "pca", () => new PCA { NComponents = 10, SvdSolver = "full" }, new() { ["n_components"] = 10, ["svd_solver"] = "full" }, digitsX, digitsY, reps, false),
            new($"pca10_{big}x50_full", "pca", () => new PCA { NComponents = 10, SvdSolver = "full" }, new() { ["n_components"] = 10, ["svd_solver"] = "full" }, pcaX, new double[pcaX.GetLength(0)], reps, false),
            new($"pca10_{big}x50_randomized", "pca", () => new PCA { NComponents = 10, SvdSolver = "randomized" }, new() { ["n_components"] = 10, ["svd_solver"] = "randomized", ["random_state"] = 0 }, pcaX, new double[pcaX.GetLength(0)], reps, false),
        };
        if (filter is not null)
            workloads = workloads.Where(w => w.Name.Contains(filter, StringComparison.Ordinal)).ToList();

        // Our side first (the peer runs afterwards in its own process, on the same idle machine).
        var ours = new Dictionary<string, (double Seconds, double Score)>();
        foreach (var w in workloads)
            ours[w.Name] = Time(w);
        var peer = noPeer ? new Dictionary<string, (double, double)>() : RunPeer(root, workloads, threads, out string? peerError);
        if (!noPeer && peer.Count == 0)
            Console.Error.WriteLine($"sklearn peer n/a: {PeerError}");

        var inv = CultureInfo.InvariantCulture;
        if (!json)
        {
            Console.WriteLine($"Polymath.Learn vs scikit-learn, fit time (median of {reps}), {threads} threads; ratio = sklearn / ours (> 1: Polymath faster)");
            if (LoadAverage() is double load && load > threads)
                Console.WriteLine($"warning: load average {load.ToString("F1", inv)} on {Environment.ProcessorCount} cores: other processes share the machine; times are noisy");
            Console.WriteLine($"{"workload",-28} {"rows",8} {"ours s",9} {"sklearn s",10} {"ratio",7} {"our score",10} {"sk score",9}");
        }
        foreach (var w in workloads)
        {
            var (s, score) = ours[w.Name];
            bool has = peer.TryGetValue(w.Name, out var p);
            double? ratio = has ? p.Item1 / s : null;
            if (json)
            {
                Console.WriteLine(new JsonObject
                {
                    ["name"] = w.Name, ["rows"] = w.X.GetLength(0), ["cols"] = w.X.GetLength(1), ["ours_s"] = s,
                    ["peer_s"] = has ? p.Item1 : null, ["ratio"] = ratio, ["ours_score"] = score, ["peer_score"] = has ? p.Item2 : null, ["threads"] = threads,
                }.ToJsonString());
            }
            else
            {
                Console.WriteLine($"{w.Name,-28} {w.X.GetLength(0),8} {s.ToString("F4", inv),9} {(has ? p.Item1.ToString("F4", inv) : "n/a"),10} {(ratio is double r ? r.ToString("F2", inv) + "x" : "n/a"),7} {score.ToString("F4", inv),10} {(has ? p.Item2.ToString("F4", inv) : "n/a"),9}");
            }
        }
        return 0;
    }

    private static string? PeerError;

    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static (double Seconds, double Score) Time(Workload w)
    {
        var x = w.X;
        if (w.Standardise)
            x = new StandardScaler().FitTransform(x);
        // Warm-up on a slice: compiles the code paths without doubling the time of the large workloads.
        int warmRows = Math.Min(x.GetLength(0), 500);
        var warmX = new double[warmRows, x.GetLength(1)];
        Array.Copy(x, warmX, warmX.Length);
        Fit(w.Ours(), warmX, w.Y[..warmRows]);
        var times = new List<double>();
        Estimator model = null!;
        for (int r = 0; r < w.Reps; r++)
        {
            model = w.Ours();
            var sw = Stopwatch.StartNew();
            Fit(model, x, w.Y);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        double score = model is PCA pca ? pca.ExplainedVarianceRatio.Sum() : ((ISupervised)model).Score(x, w.Y);
        return (times[times.Count / 2], score);
    }

    private static void Fit(Estimator m, double[,] x, double[] y)
    {
        if (m is Transformer t)
            t.Fit(x);
        else
            ((ISupervised)m).Fit(x, y);
    }

    private static Dictionary<string, (double, double)> RunPeer(string root, List<Workload> workloads, int threads, out string? error)
    {
        error = null;
        var result = new Dictionary<string, (double, double)>();
        string dir = Path.Combine(Path.GetTempPath(), $"polymath-learn-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var specs = new JsonArray();
            foreach (var w in workloads)
            {
                string xf = Path.Combine(dir, w.Name + ".x"), yf = Path.Combine(dir, w.Name + ".y");
                WriteRaw(xf, MemoryMarshalFlat(w.X));
                WriteRaw(yf, w.Y);
                specs.Add(new JsonObject
                {
                    ["name"] = w.Name, ["model"] = w.Model, ["params"] = w.Params.DeepClone(), ["x"] = xf, ["y"] = yf,
                    ["rows"] = w.X.GetLength(0), ["cols"] = w.X.GetLength(1), ["reps"] = w.Reps, ["standardise"] = w.Standardise,
                });
            }
            string specFile = Path.Combine(dir, "specs.json");
            File.WriteAllText(specFile, specs.ToJsonString());
            string python = Environment.GetEnvironmentVariable("POLYMATH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { Path.Combine(root, "bench", "peers", "sklearn_fit.py"), "--specs", specFile, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            using var proc = Process.Start(psi)!;
            var errTask = proc.StandardError.ReadToEndAsync();
            string? line;
            while ((line = proc.StandardOutput.ReadLine()) is not null)
            {
                if (!line.StartsWith('{'))
                    continue;
                var o = JsonNode.Parse(line)!.AsObject();
                result[o["name"]!.GetValue<string>()] = (o["seconds"]!.GetValue<double>(), o["score"]!.GetValue<double>());
            }
            proc.WaitForExit();
            if (proc.ExitCode != 0)
                PeerError = error = errTask.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {proc.ExitCode}";
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            PeerError = error = e.Message;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return result;
    }

    private static double[] MemoryMarshalFlat(double[,] x)
    {
        var flat = new double[x.Length];
        Buffer.BlockCopy(x, 0, flat, 0, x.Length * sizeof(double));
        return flat;
    }

    private static void WriteRaw(string path, double[] values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length); // little-endian on every .NET platform we run on
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A binary problem: Gaussian features, label = [x·w + 0.5·noise &gt; 0] with a fixed random w.</summary>
    private static (double[,] X, double[] Y) Synthetic(int rows, int cols, int seed)
    {
        var rng = new System.Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var w = Enumerable.Range(0, cols).Select(_ => Gauss()).ToArray();
        var x = new double[rows, cols];
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < cols; j++)
            {
                x[i, j] = Gauss();
                s += x[i, j] * w[j];
            }
            y[i] = s + 0.5 * Gauss() * Math.Sqrt(cols) > 0 ? 1 : 0;
        }
        return (x, y);
    }

    private static (double[,] X, double[] Y) LoadDigits(string root)
    {
        var lines = File.ReadAllLines(Path.Combine(root, "tests", "Polymath.Learn.Tests", "fixtures", "digits.csv")).Skip(1).ToArray();
        int d = lines[0].Split(',').Length - 1;
        var x = new double[lines.Length, d];
        var y = new double[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var p = lines[i].Split(',');
            for (int j = 0; j < d; j++)
                x[i, j] = double.Parse(p[j], CultureInfo.InvariantCulture);
            y[i] = double.Parse(p[d], CultureInfo.InvariantCulture);
        }
        return (x, y);
    }

    private static string FindRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                    return dir.FullName;
        throw new DirectoryNotFoundException("run from inside the Polymath checkout (Polymath.slnx not found).");
    }
}
