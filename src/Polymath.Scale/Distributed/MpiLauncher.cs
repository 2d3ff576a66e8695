using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Polymath.Scale.Distributed;

/// <summary>
/// Starts a program as an Open MPI job: <c>mpirun -np N [--hostfile FILE] --bind-to none PROGRAM ARGS</c>. The command
/// line tools use it to relaunch themselves (<c>polymath train --nproc N</c>); the printed command line works by hand too.
/// </summary>
public static class MpiLauncher
{
    /// <summary>The full path of <c>mpirun</c> on PATH, or null.</summary>
    public static string? FindMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var f = Path.Combine(dir, "mpirun");
            if (File.Exists(f))
                return f;
        }
        return null;
    }

    /// <summary>
    /// The arguments after <c>mpirun</c>. Without a host file every rank runs on this host (oversubscribing its cores
    /// if needed, shared-memory transport); with one, Open MPI places the ranks on the listed hosts' slots. Ranks are
    /// not bound to cores because each runs its own worker threads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">nproc &lt; 1.</exception>
    public static List<string> Arguments(int nproc, string? hostfile, IEnumerable<string> command)
    {
        if (nproc < 1)
            throw new ArgumentOutOfRangeException(nameof(nproc), $"mpirun: the number of processes must be at least 1, got {nproc}.");
        var a = new List<string> { "-np", nproc.ToString(CultureInfo.InvariantCulture), "--bind-to", "none" };
        if (hostfile is null)
            // One host: shared memory, and ranks waiting in a collective yield the core instead of busy-polling it
            // (Open MPI polls by default; with as many ranks as cores the poller steals the core a peer computes on:
            // LeNet-5 on 2 ranks of a 2-core machine ran 2.4x faster with yielding, see docs/scale.md).
            a.AddRange(["--oversubscribe", "--mca", "btl", "self,vader", "--mca", "mpi_yield_when_idle", "1"]);
        else
            a.AddRange(["--hostfile", hostfile]);
        a.AddRange(command);
        return a;
    }

    /// <summary>How this process was started (the host and, for <c>dotnet app.dll</c>, the assembly), to start it again.</summary>
    public static List<string> CurrentProgram(System.Reflection.Assembly entry)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown; start it under mpirun yourself.");
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, entry.Location] : [host];
    }

    /// <summary>A shell-quoted rendering of <c>mpirun ARGS</c>, for logs and documentation.</summary>
    public static string Format(string mpirun, IEnumerable<string> args) =>
        string.Join(' ', new[] { mpirun }.Concat(args).Select(s => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'"));

    /// <summary>
    /// Runs mpirun with <paramref name="args"/>, the job's output going to this process's console, and returns its exit
    /// code. As root (containers, CI) Open MPI's permission variables are set, since mpirun refuses root otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">mpirun is not installed.</exception>
    public static int Run(IReadOnlyList<string> args) => RunJob(args, CancellationToken.None).ExitCode;

    /// <summary>How a job started by <see cref="RunJob"/> ended.</summary>
    /// <param name="ExitCode">mpirun's exit code.</param>
    /// <param name="Interrupted">"SIGINT" or "SIGTERM" when this process was interrupted and ended the job; null otherwise.</param>
    public sealed record JobResult(int ExitCode, string? Interrupted);

    /// <summary>
    /// <see cref="Run(IReadOnlyList{string})"/>, ending the job when this process is interrupted.
    /// </summary>
    /// <remarks>
    /// When <paramref name="cancel"/> fires (the caller's Ctrl-C / SIGINT handler), mpirun is given
    /// <paramref name="grace"/> (default 1 s) to notice on its own: a Ctrl-C typed in a terminal reaches every process
    /// of the foreground group, mpirun included. If it still runs, it gets SIGINT from here (a signal sent to this
    /// process alone, e.g. <c>kill -INT PID</c>, reaches only this process), which makes Open MPI terminate every rank
    /// (SIGTERM, then SIGKILL). SIGTERM to this process is passed on to mpirun at once instead of ending this process
    /// and orphaning the job. If mpirun has not exited 15 s after the signal, it and its children are killed.
    /// A process that inherited SIGINT as ignored (started in the background by a non-interactive shell) ignores it.
    /// </remarks>
    /// <exception cref="InvalidOperationException">mpirun is not installed.</exception>
    public static JobResult RunJob(IReadOnlyList<string> args, CancellationToken cancel, TimeSpan? grace = null)
    {
        string mpirun = FindMpirun() ?? throw new InvalidOperationException(
            "mpirun was not found on PATH; install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or start the ranks yourself with mpirun.");
        var psi = new ProcessStartInfo(mpirun) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (Environment.UserName == "root")
        {
            psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
            psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + mpirun);
        string? interrupted = null;
        using var onCancel = cancel.Register(() =>
        {
            interrupted ??= "SIGINT";
            ThreadPool.QueueUserWorkItem(_ => Interrupt(p, grace ?? TimeSpan.FromSeconds(1), SigInt));
        });
        using var onTerm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true; // keep this process until mpirun has ended the job
            interrupted = "SIGTERM";
            ThreadPool.QueueUserWorkItem(_ => Interrupt(p, TimeSpan.Zero, SigTerm));
        });
        p.WaitForExit();
        return new JobResult(p.ExitCode, interrupted);
    }

    private static void Interrupt(Process mpirun, TimeSpan grace, int signal)
    {
        try
        {
            if (mpirun.WaitForExit(grace))
                return;
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
                _ = Kill(mpirun.Id, signal);
            if (mpirun.WaitForExit(TimeSpan.FromSeconds(15)))
                return;
            mpirun.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or DllNotFoundException or EntryPointNotFoundException)
        {
            // mpirun exited meanwhile, or the platform has no kill(2): nothing left to do.
        }
    }

    private const int SigInt = 2, SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
