using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Polymath.Hub.Ui;

/// <summary>
/// Renders the Markdown of dataset cards to HTML for the web pages: headings, paragraphs, bullet and numbered lists,
/// fenced code, block quotes, inline code, bold, italics and http(s) links. Every piece of text is HTML-escaped first
/// and no raw HTML passes through, so a card cannot inject script into the page.
/// </summary>
internal static partial class MarkdownLite
{
    /// <summary>The HTML of a Markdown document.</summary>
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var paragraph = new List<string>();
        string? list = null;
        void FlushParagraph()
        {
            if (paragraph.Count > 0)
                html.Append("<p>").Append(Inline(string.Join(" ", paragraph))).Append("</p>\n");
            paragraph.Clear();
        }
        void CloseList()
        {
            if (list is not null)
                html.Append($"</{list}>\n");
            list = null;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                CloseList();
                var code = new List<string>();
                while (++i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                    code.Add(lines[i]);
                html.Append("<pre><code>").Append(WebUtility.HtmlEncode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }
            if (line.Trim().Length == 0)
            {
                FlushParagraph();
                CloseList();
                continue;
            }
            var heading = Heading().Match(line);
            if (heading.Success)
            {
                FlushParagraph();
                CloseList();
                int level = heading.Groups[1].Length;
                html.Append($"<h{level}>").Append(Inline(heading.Groups[2].Value.Trim())).Append($"</h{level}>\n");
                continue;
            }
            var bullet = Bullet().Match(line);
            var numbered = Numbered().Match(line);
            if (bullet.Success || numbered.Success)
            {
                FlushParagraph();
                string kind = bullet.Success ? "ul" : "ol";
                if (list != kind)
                {
                    CloseList();
                    html.Append($"<{kind}>\n");
                    list = kind;
                }
                html.Append("<li>").Append(Inline((bullet.Success ? bullet : numbered).Groups[1].Value)).Append("</li>\n");
                continue;
            }
            if (line.StartsWith('>'))
            {
                FlushParagraph();
                CloseList();
                html.Append("<blockquote>").Append(Inline(line.TrimStart('>').Trim())).Append("</blockquote>\n");
                continue;
            }
            CloseList();
            paragraph.Add(line.Trim());
        }
        FlushParagraph();
        CloseList();
        return html.ToString();
    }

    /// <summary>Escapes a line, then marks up code spans, links, bold and italics.</summary>
    private static string Inline(string text)
    {
        var parts = text.Split('`');
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            string escaped = WebUtility.HtmlEncode(parts[i]);
            if (i % 2 == 1 && i < parts.Length - 1)
            {
                sb.Append("<code>").Append(escaped).Append("</code>");
                continue;
            }
            if (i % 2 == 1)
                sb.Append('`');
            escaped = Link().Replace(escaped, m => $"<a href=\"{m.Groups[2].Value}\" rel=\"nofollow noopener\">{m.Groups[1].Value}</a>");
            escaped = Bold().Replace(escaped, "<strong>$1</strong>");
            escaped = Italic().Replace(escaped, "<em>$1</em>");
            sb.Append(escaped);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*[-*+]\s+(.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"^\s*\d+[.)]\s+(.*)$")]
    private static partial Regex Numbered();

    // Applied to escaped text, so a quote in the URL is already &quot; and cannot end the attribute; http(s) only.
    [GeneratedRegex(@"\[([^\]]+)\]\((https?://[A-Za-z0-9\-._~:/?#@!$+,;=%&]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![\w*])\*([^*]+)\*(?![\w*])")]
    private static partial Regex Italic();
}
