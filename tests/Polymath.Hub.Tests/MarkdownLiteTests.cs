using Polymath.Hub.Ui;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>The card renderer: the Markdown people write, and nothing a card could use to run script.</summary>
public sealed class MarkdownLiteTests
{
    [Fact]
    public void Headings_lists_code_emphasis_and_links_render()
    {
        string html = MarkdownLite.ToHtml("# Title\n\nSome **bold** and *it* with `x<y`.\n\n- one\n- two\n\n1. first\n\n```\na < b\n```\n\n[site](https://example.org/a?b=1)\n");
        Assert.Contains("<h1>Title</h1>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<em>it</em>", html);
        Assert.Contains("<code>x&lt;y</code>", html);
        Assert.Contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", html);
        Assert.Contains("<ol>\n<li>first</li>\n</ol>", html);
        Assert.Contains("<pre><code>a &lt; b</code></pre>", html);
        Assert.Contains("<a href=\"https://example.org/a?b=1\" rel=\"nofollow noopener\">site</a>", html);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](https://a.org/\"onmouseover=\"alert(1))")]
    public void Nothing_in_a_card_becomes_markup_that_runs(string markdown)
    {
        string html = MarkdownLite.ToHtml(markdown);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("href=\"javascript", html);
        Assert.DoesNotContain("\"onmouseover", html);
    }
}
