using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Polymath.Hub.Tests;

/// <summary>
/// <c>polymath hub serve</c> in a child process, so a test can kill it with SIGKILL (no shutdown code runs) the way a
/// crash or an OOM killer would.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The address the server printed.</summary>
    public Uri Address { get; }

    /// <summary>Starts the server on a free loopback port and waits (at most a minute) until it says where it listens.</summary>
    public static async Task<ServerProcess> StartAsync(TestBackend backend)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "polymath.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "hub", "serve", "--urls", "http://127.0.0.1:0", "--data", backend.DataDir })
            info.ArgumentList.Add(a);
        if (backend.Connection is not null)
        {
            info.ArgumentList.Add("--db");
            info.ArgumentList.Add(backend.Connection);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var m = Listening().Match(line);
            if (m.Success)
            {
                _ = process.StandardOutput.ReadToEndAsync(); // keep draining so the child never blocks on a full pipe
                return new ServerProcess(process, new Uri(m.Groups[1].Value));
            }
        }
        await process.WaitForExitAsync();
        throw new InvalidOperationException($"the hub process exited with {process.ExitCode} before listening: {await errors}");
    }

    /// <summary>SIGKILL: the process ends at once, mid-write if it was writing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the process if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://[^,\s]+)")]
    private static partial Regex Listening();
}
