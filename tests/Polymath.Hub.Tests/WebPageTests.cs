using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>The web pages in a real headless Chromium: list and search, sign-in, repository page, diff view, privacy.</summary>
public sealed class WebPageTests() : HubTestBase("sqlite"), IBrowserTests
{
    /// <summary>Clicks and waits for the new page's script to finish (it sets body[data-ready]); the wait starts before the click.</summary>
    private static async Task ClickAndWaitForUrlAsync(IPage page, string selector, string url)
    {
        var navigated = page.WaitForURLAsync(url, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.ClickAsync(selector);
        await navigated;
        await page.WaitForSelectorAsync("body[data-ready=true]");
    }

    [BackendFact]
    public async Task A_signed_in_user_browses_searches_reads_the_card_and_compares_versions()
    {
        await Admin.CreateRepoAsync("ising", isPrivate: true, description: "2D Ising Monte Carlo samples");
        await Admin.CreateRepoAsync("open-data", description: "public example");
        string c1 = await CommitTextAsync(Admin, "admin", "ising", "main", ("data/samples.csv", "id,t\n1,1.0\n"), ("README.md", "r"));
        await CommitTextAsync(Admin, "admin", "ising", "main", ("data/samples.csv", "id,t\n1,1.5\n"), ("data/extra.csv", "id\n9\n"));
        await Admin.SetMetadataAsync("admin", "ising", new { title = "2D Ising configurations", description = "Spins", creators = new[] { new { name = "Ada Lovelace" } }, license = "CC-BY-4.0" });
        await Admin.SetCardAsync("admin", "ising", "# 2D Ising\n\nSamples at **16** temperatures.\n\n<script>window.pwned = 1</script>\n");
        await Admin.AnnotateAsync("admin", "ising", c1, "data/samples.csv", "quality", "checked");

        var (playwright, browser) = await BrowserSession.LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = Server.Address.ToString(), ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            var requests = new ConcurrentQueue<IRequest>();
            page.Request += (_, r) => requests.Enqueue(r);
            string shots = BrowserSession.ScreenshotDir();

            // Anonymous: the public repository only.
            await page.GotoAsync("/");
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Equal(["admin/open-data"], await page.Locator("#repos li.repo > a").AllTextContentsAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "1-list-anonymous.png"), FullPage = true });

            await page.GotoAsync("/admin/ising");
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Contains("does not exist", await page.Locator("#problem").TextContentAsync());

            // Sign in with a token.
            await page.GotoAsync("/signin");
            await page.WaitForSelectorAsync("body[data-ready=true]");
            await page.FillAsync("#token", AdminToken);
            int beforeSignIn = requests.Count;
            await ClickAndWaitForUrlAsync(page, "#signin", Server.Address.ToString());
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Equal("signed in as admin", await page.Locator("#who").TextContentAsync());
            Assert.Equal(2, await page.Locator("#repos li.repo").CountAsync());

            await page.FillAsync("#search", "ising");
            await ClickAndWaitForUrlAsync(page, "#search-form button", "**/?q=ising");
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Equal(["admin/ising"], await page.Locator("#repos li.repo > a").AllTextContentsAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "2-search-signed-in.png"), FullPage = true });

            // The repository page: card, metadata, files, versions, annotations.
            await ClickAndWaitForUrlAsync(page, "text=admin/ising", "**/admin/ising");
            await page.WaitForSelectorAsync("body[data-ready=true]");
            Assert.Equal("2D Ising", await page.Locator("#card .markdown h1").TextContentAsync());
            Assert.Equal("16", await page.Locator("#card .markdown strong").TextContentAsync());
            Assert.Contains("<script>", await page.Locator("#card .markdown").TextContentAsync()); // shown as text, not run
            Assert.Equal(0, await page.Locator("#card script").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned"));
            Assert.Contains("CC-BY-4.0", await page.Locator("#metadata").TextContentAsync());
            Assert.Equal(["README.md", "data/extra.csv", "data/samples.csv"], await page.Locator("#files td.path").AllTextContentsAsync());
            Assert.Equal(2, await page.Locator("#versions tbody tr").CountAsync());
            Assert.Contains("checked", await page.Locator("#annotations").TextContentAsync());

            await page.ClickAsync("#show-diff");
            await page.WaitForSelectorAsync("#diff table");
            Assert.Equal(["data/extra.csv"], await page.Locator("#diff tr.change-A td.path").AllTextContentsAsync());
            Assert.Equal(["data/samples.csv"], await page.Locator("#diff tr.change-M td.path").AllTextContentsAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "3-repository-diff.png"), FullPage = true });

            // The token only ever travelled in the Authorization header.
            Assert.DoesNotContain(requests, r => r.Url.Contains(AdminToken));
            var apiCalls = requests.Skip(beforeSignIn).Where(r => r.Url.Contains("/api/repos/admin/ising")).ToList();
            Assert.NotEmpty(apiCalls);
            Assert.All(apiCalls, r => Assert.Equal("Bearer " + AdminToken, r.Headers["authorization"]));
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }
}
