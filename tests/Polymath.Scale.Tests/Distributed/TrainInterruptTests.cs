using System.Diagnostics;
using System.Runtime.InteropServices;
using Polymath.Models;
using Polymath.Training;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>
/// SIGINT (what Ctrl-C sends) or SIGTERM to a running <c>polymath train --nproc 2</c>: every rank stops promptly, no rank process
/// is left behind, the exit code is non-zero with a message, and the last checkpoint rank 0 completed loads.
/// </summary>
public sealed partial class TrainInterruptTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Processes other than this one whose command line contains <paramref name="marker"/> (the job's unique output folder).</summary>
    private static List<string> ProcessesNaming(string marker)
    {
        var found = new List<string>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                string cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(marker, StringComparison.Ordinal))
                    found.Add($"{pid}: {cmd}");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    [MpiMnistTheory]
    [InlineData(2, "SIGINT", 130)]
    [InlineData(15, "SIGTERM", 143)] // e.g. a batch system ending the job: passed on to mpirun, not orphaning it
    public void ASignalStopsEveryRankPromptlyAndLeavesALoadableCheckpoint(int signal, string name, int exitCode)
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc");
        using var dir = CliRun.Temp("polymath-sigint");
        string outDir = dir["out"], last = Path.Combine(outDir, "last.safetensors");
        // Many short epochs: rank 0 writes last.safetensors after each, and training is still running when SIGINT comes.
        // env --default-signal=INT: a test host started in the background by a non-interactive shell inherits SIGINT
        // as ignored (POSIX), and so would polymath; a terminal's Ctrl-C never meets that state.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--default-signal=INT", MpiRun.Dotnet, TrainNprocTests.Cli, "train", "--model", "mlp", "--epochs", "10000", "--limit", "64", "--batch-size", "16",
                     "--optimizer", "sgd", "--lr", "0.01", "--scheduler", "none", "--progress", "none", "--threads", "1", "--nproc", "2", "--out", outDir })
            psi.ArgumentList.Add(a);
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        psi.Environment.Remove("OMPI_COMM_WORLD_SIZE");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(last) && !p.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(100);
            if (p.HasExited) // (the output is read only then: its pipes stay open while the job runs)
                Assert.Fail($"the job ended before it was interrupted: exit {p.ExitCode}\n{stdout.Result}\n{stderr.Result}");
            Assert.True(File.Exists(last), "no checkpoint after 60 s");
            Thread.Sleep(300); // inside the next epochs: the ranks are in collectives and rank 0 may be writing the next checkpoint
            Assert.Contains(ProcessesNaming(outDir), s => s.Contains("mpirun", StringComparison.Ordinal));

            var sw = Stopwatch.StartNew();
            Assert.Equal(0, Kill(p.Id, signal));
            bool exited = p.WaitForExit(TimeSpan.FromSeconds(30));
            Assert.True(exited, $"polymath train --nproc 2 still runs 30 s after {name}");
            p.WaitForExit();
            string err = stderr.Result;
            Assert.NotEqual(0, p.ExitCode);
            Assert.True(p.ExitCode == exitCode, $"exit {p.ExitCode}\n{err}");
            Assert.Contains($"polymath train: interrupted ({name}): mpirun ended the 2 ranks", err);
            Assert.Contains($"the last completed checkpoint is {last}", err);
            // No rank (nor mpirun) is left: every process of the job named the output folder on its command line.
            var left = ProcessesNaming(outDir);
            for (int i = 0; i < 50 && left.Count > 0; i++)
            {
                Thread.Sleep(100);
                left = ProcessesNaming(outDir);
            }
            Assert.True(left.Count == 0, $"{sw.Elapsed.TotalSeconds:F1} s after {name} these processes remain:\n{string.Join('\n', left)}");

            // The last checkpoint is whole: it loads into the model with its optimizer state, and no temporary file is mistaken for it.
            var info = Checkpoint.ReadInfo(last);
            Assert.True(info.Epoch >= 1, $"epoch {info.Epoch}");
            var model = ModelZoo.Create("mlp");
            var opt = new SGD(model.Parameters(), lr: 0.01, momentum: 0.9);
            var loaded = Checkpoint.Load(last, model, opt);
            Assert.Equal(info.Step, loaded.Step);
            Assert.Equal("2", info.Extra["world_size"]);
        }
        finally
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>A theory that needs mpirun and MNIST (see <see cref="MpiMnistFactAttribute"/>).</summary>
public sealed class MpiMnistTheoryAttribute : TheoryAttribute
{
    public MpiMnistTheoryAttribute() => Skip = new MpiMnistFactAttribute().Skip;
}
