using Microsoft.Playwright;

namespace Polymath.Hub.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (its executable path set: no browser download). Browser tests are skipped with
/// the reason when Chromium is missing, unless <c>POLYMATH_HUB_REQUIRE_BROWSER=1</c> (CI), which makes them fail instead.
/// Screenshots go to <c>artifacts/hub-screenshots</c> at the repository root.
/// </summary>
public static class BrowserSession
{
    /// <summary>The Chromium executable: $POLYMATH_CHROMIUM or /usr/bin/chromium.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("POLYMATH_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    /// <summary>Why browser tests cannot run here, or null.</summary>
    public static string? SkipReason =>
        File.Exists(Executable) || Environment.GetEnvironmentVariable("POLYMATH_HUB_REQUIRE_BROWSER") == "1"
            ? null
            : $"browser tests need Chromium at {Executable} (apt-get install chromium, or set POLYMATH_CHROMIUM).";

    /// <summary>Launches headless Chromium.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"], // CI runs as root in a container
        });
        return (playwright, browser);
    }

    /// <summary>Folder for screenshots (created).</summary>
    public static string ScreenshotDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Polymath.slnx")))
            dir = dir.Parent;
        string path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "hub-screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
