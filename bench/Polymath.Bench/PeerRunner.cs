using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Polymath.Bench;

/// <summary>Result of one peer process: its JSON lines, or why there are none.</summary>
public sealed class PeerOutput
{
    public List<JsonObject> Lines { get; } = [];

    /// <summary>Null when the process ran; otherwise a short reason (missing Python, no torch, timeout...).</summary>
    public string? Error { get; set; }
}

/// <summary>
/// Runs the peers as subprocesses: Debian's Python with torch (our bench/peers/torch_ops.py and the shared
/// ../shared/peers/torch_workloads.py) and the C OpenBLAS program bench/gemm_c/gemm_bench.
/// Never throws: failures come back as <see cref="PeerOutput.Error"/>.
/// </summary>
public static class PeerRunner
{
    /// <summary>The Python that sees python3-torch: POLYMATH_PYTHON, else /usr/bin/python3.</summary>
    public static string Python =>
        Environment.GetEnvironmentVariable("POLYMATH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    private static string? s_pythonProblem;
    private static bool s_pythonChecked;

    /// <summary>Null when Python and torch import; otherwise why not (checked once).</summary>
    public static string? PythonProblem()
    {
        if (s_pythonChecked)
            return s_pythonProblem;
        s_pythonChecked = true;
        if (!File.Exists(Python))
            return s_pythonProblem = $"{Python} not found (set POLYMATH_PYTHON to a Python with torch)";
        var r = Run(Python, ["-c", "import torch; print(torch.__version__)"], TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0)
            return s_pythonProblem = $"torch does not import in {Python}: {LastLine(r.Stderr)}";
        return null;
    }

    /// <summary>Runs bench/peers/torch_ops.py with the given specs; one JSON line per spec.</summary>
    public static PeerOutput TorchOps(IReadOnlyList<JsonObject> specs, int threads, TimeSpan timeout)
    {
        var output = new PeerOutput();
        if (PythonProblem() is { } problem)
        {
            output.Error = problem;
            return output;
        }
        string? script = RepoPaths.OurPeers is { } dir ? Path.Combine(dir, "torch_ops.py") : null;
        if (script is null || !File.Exists(script))
        {
            output.Error = "bench/peers/torch_ops.py not found (run from inside the Polymath checkout)";
            return output;
        }
        string specFile = Path.Combine(Path.GetTempPath(), $"polymath-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(specFile, new JsonArray(specs.Select(s => (JsonNode)s.DeepClone()).ToArray()).ToJsonString());
            var r = Run(Python, [script, "--threads", threads.ToString(), "--specs", specFile], timeout);
            Collect(r, output, "torch_ops.py");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Error = $"could not write the spec file: {e.Message}";
        }
        finally
        {
            try { File.Delete(specFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return output;
    }

    /// <summary>Runs ../shared/peers/torch_workloads.py --workload NAME --json (or <paramref name="ourScript"/> in bench/peers, same arguments).</summary>
    public static PeerOutput TorchWorkload(string workload, int threads, int steps, int warmup, TimeSpan timeout, string? ourScript = null)
    {
        var output = new PeerOutput();
        if (PythonProblem() is { } problem)
        {
            output.Error = problem;
            return output;
        }
        string? folder = ourScript is null ? RepoPaths.SharedPeers : RepoPaths.OurPeers;
        string? script = folder is { } dir ? Path.Combine(dir, ourScript ?? "torch_workloads.py") : null;
        if (script is null || !File.Exists(script))
        {
            output.Error = $"{ourScript ?? "torch_workloads.py"} not found (looked in {folder ?? "../shared/peers"})";
            return output;
        }
        // Run the shared script through a small wrapper that also prints the process's peak RSS. The thread
        // variables are set up front, so the script does not re-exec itself (which would drop the wrapper).
        const string wrapper =
            "import json, runpy, sys\n" +
            "sys.argv = sys.argv[1:]\n" +
            "runpy.run_path(sys.argv[0], run_name='__main__')\n" +
            // VmHWM, not ru_maxrss: on Linux ru_maxrss survives fork+exec and would report our own process's peak.
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n" +
            "print(json.dumps({'peer_peak_rss_mb': int(hwm[0].split()[1]) / 1024.0 if hwm else None}))\n";
        string t = threads.ToString();
        var env = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = t, ["OPENBLAS_NUM_THREADS"] = t, ["MKL_NUM_THREADS"] = t };
        var r = Run(Python, ["-c", wrapper, script, "--workload", workload, "--threads", t,
            "--steps", steps.ToString(), "--warmup", warmup.ToString(), "--json"], timeout, env);
        Collect(r, output, ourScript ?? "torch_workloads.py");
        return output;
    }

    /// <summary>Runs bench/gemm_c/gemm_bench THREADS N..., building it with build.sh first when gcc is there.</summary>
    public static PeerOutput GemmC(int threads, IReadOnlyList<int> sizes, TimeSpan timeout)
    {
        var args = new List<string> { threads.ToString() };
        args.AddRange(sizes.Select(n => n.ToString()));
        return RunCProgram(RepoPaths.GemmC, "gemm_c", "gemm_bench", args, timeout);
    }

    /// <summary>Runs bench/stream_c/stream THREADS N RUNS (the C bandwidth reference), building it first when gcc is there.</summary>
    public static PeerOutput StreamC(int threads, long elements, int runs, TimeSpan timeout) =>
        RunCProgram(RepoPaths.StreamC, "stream_c", "stream", [threads.ToString(), elements.ToString(), runs.ToString()], timeout);

    private static PeerOutput RunCProgram(string? dir, string folder, string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var output = new PeerOutput();
        if (dir is null || !Directory.Exists(dir))
        {
            output.Error = $"bench/{folder} not found";
            return output;
        }
        string exe = Path.Combine(dir, program);
        if (!File.Exists(exe))
        {
            string build = Path.Combine(dir, "build.sh");
            if (!File.Exists(build) || !File.Exists("/usr/bin/gcc") && !File.Exists("/usr/bin/cc"))
            {
                output.Error = $"{program} is not built and gcc is missing";
                return output;
            }
            var b = Run("/bin/sh", [build], TimeSpan.FromSeconds(120));
            if (b.ExitCode != 0 || !File.Exists(exe))
            {
                output.Error = $"building {program} failed: {LastLine(b.Stderr)}";
                return output;
            }
        }
        var r = Run(exe, args, timeout);
        Collect(r, output, program);
        return output;
    }

    private static void Collect(ProcessResult r, PeerOutput output, string what)
    {
        foreach (string line in r.Stdout.Split('\n'))
        {
            string t = line.Trim();
            if (!t.StartsWith('{'))
                continue;
            try
            {
                if (JsonNode.Parse(t) is JsonObject o)
                    output.Lines.Add(o);
            }
            catch (JsonException)
            {
            }
        }
        if (r.TimedOut)
            output.Error = $"{what} timed out";
        else if (r.ExitCode != 0)
            output.Error = $"{what} exited with {r.ExitCode}: {LastLine(r.Stderr)}";
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }

    private sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

    private static ProcessResult Run(string file, IReadOnlyList<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (env is not null)
            foreach (var (k, v) in env)
                psi.Environment[k] = v;
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new ProcessResult(-1, "", $"could not start {file}: {e.Message}", false);
        }
        using (p)
        {
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.StandardInput.Close();
            if (!p.WaitForExit(timeout))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit();
                return new ProcessResult(-1, stdout.ToString(), stderr.ToString(), true);
            }
            p.WaitForExit(); // flush async readers
            return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString(), false);
        }
    }
}
