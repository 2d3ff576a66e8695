using System.Diagnostics;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>
/// Starts real jobs with Open MPI's <c>mpirun</c>. Tests skip with a reason when mpirun is absent, unless
/// POLYMATH_REQUIRE_MPI=1 (CI installs Open MPI and sets it), in which case they fail.
/// </summary>
internal static class MpiRun
{
    public static readonly string? Mpirun = Find("mpirun");

    public static bool Required => Environment.GetEnvironmentVariable("POLYMATH_REQUIRE_MPI") == "1";

    public static string SkipReason => Mpirun is not null ? ""
        : Required ? "" // the test runs and fails in Start with the reason
        : "mpirun not found on PATH (install Debian's openmpi-bin and libopenmpi-dev; CI sets POLYMATH_REQUIRE_MPI=1 and insists)";

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
                    return dir.FullName;
            throw new InvalidOperationException("repository root (Polymath.slnx) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    public static string Worker => Path.Combine(AppContext.BaseDirectory, "Polymath.Scale.MpiWorker.dll");

    /// <summary>The result of one job: exit code, output, and whether it had to be killed.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, bool TimedOut, double Seconds)
    {
        public override string ToString() => $"exit {ExitCode}{(TimedOut ? " (killed: hung)" : "")} after {Seconds:F1} s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs <c>mpirun -np N dotnet worker.dll args</c> on this host; kills the job after <paramref name="limit"/>.</summary>
    public static Result Worker_(int np, TimeSpan limit, IDictionary<string, string>? env, params string[] args) =>
        Start(["-np", np.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader", Dotnet, Worker, .. args], limit, env);

    /// <summary>Runs an arbitrary command with Open MPI's root-permission variables set (CI runs as root).</summary>
    public static Result Start(IEnumerable<string> mpirunArgs, TimeSpan limit, IDictionary<string, string>? env = null, string? exe = null)
    {
        exe ??= Mpirun ?? throw new InvalidOperationException("mpirun is required (POLYMATH_REQUIRE_MPI=1) but was not found on PATH.");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in mpirunArgs) psi.ArgumentList.Add(a);
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        psi.Environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1";
        psi.Environment.Remove("OMPI_COMM_WORLD_SIZE"); // never inherit an enclosing job
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool exited = p.WaitForExit(limit);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        return new Result(exited ? p.ExitCode : -1, stdout.Result, stderr.Result, !exited, sw.Elapsed.TotalSeconds);
    }

    private static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = Path.Combine(dir, name);
            if (File.Exists(f)) return f;
        }
        return null;
    }
}

/// <summary>A fact that needs mpirun: skipped with the reason when it is absent (and POLYMATH_REQUIRE_MPI is not 1).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.SkipReason.Length > 0) Skip = MpiRun.SkipReason;
    }
}

/// <summary>A theory that needs mpirun (see <see cref="MpiFactAttribute"/>).</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        if (MpiRun.SkipReason.Length > 0) Skip = MpiRun.SkipReason;
    }
}
