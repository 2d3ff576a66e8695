using Microsoft.Playwright;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>
/// The report of <c>polymath demo</c> (a small seeded run) opened in headless Chromium: every chart draws, the estimate
/// is on the page, and a full-page screenshot is kept in <c>artifacts/hub-screenshots/demo-report.png</c>.
/// </summary>
public sealed class DemoReportBrowserTests : IBrowserTests
{
    [BackendFact]
    public async Task The_demo_report_renders_its_charts_in_Chromium()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polymath-demo-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            int code = Polymath.Cli.Program.Main(["demo", "--sizes", "6,8", "--temperatures", "1.5:3.5:11", "--samples", "40", "--epochs", "4",
                "--networks", "2", "--chain-sizes", "4,6", "--shots", "100", "--chain-networks", "2", "--seed", "7", "--out", dir, "--progress", "plain"]);
            Assert.Equal(0, code);
            string report = Path.Combine(dir, "model", "report.html");

            var (playwright, browser) = await BrowserSession.LaunchAsync();
            try
            {
                var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
                var errors = new List<string>();
                page.PageError += (_, e) => errors.Add(e);
                await page.GotoAsync(new Uri(report).AbsoluteUri);
                Assert.Equal("Learning the Ising phase transition", await page.TitleAsync());
                Assert.Contains("T", await page.InnerTextAsync("#estimate"));
                int charts = await page.Locator("svg").CountAsync();
                Assert.True(charts >= 7, $"{charts} charts drawn");
                // Each chart's polylines lie inside its 640×320 box: the browser laid the SVG out, not just parsed it.
                var box = await page.Locator("svg").First.BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box!.Width >= 600 && box.Height >= 300, $"first chart is {box.Width}×{box.Height}");
                Assert.True(await page.Locator("svg polyline").CountAsync() >= 7);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.ScreenshotDir(), "demo-report.png"), FullPage = true });
                Assert.Empty(errors);
            }
            finally
            {
                await browser.CloseAsync();
                playwright.Dispose();
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
