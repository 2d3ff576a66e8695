using System.Globalization;
using System.Net;
using System.Text;

namespace Polymath.Training;

/// <summary>
/// A self-contained HTML training report: a summary table, inline SVG line charts (training loss by step, loss by
/// epoch, validation metrics, learning rate) and the last confusion matrix. No scripts, styles or images are fetched:
/// the file can be mailed or archived as it is. The markup is well-formed XML (XHTML syntax) so tools can parse it.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One curve of a chart.</summary>
    /// <param name="Name">Legend text.</param>
    /// <param name="Points">(x, y) points in x order; non-finite y values are skipped.</param>
    /// <param name="Errors">Optional one-standard-error bars, one per point (drawn as vertical whiskers).</param>
    /// <param name="Markers">Draw a circle at every point even when there are more than 60.</param>
    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, IReadOnlyList<double>? Errors = null, bool Markers = false);

    /// <summary>The page's head, styles, title and the open settings table with its rows (the caller closes it).</summary>
    public static void AppendHead(StringBuilder sb, string title, IEnumerable<(string Name, string Value)> summary)
    {
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>")
          .Append(E(title)).Append("</title>\n<style>\n")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
          .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
          .Append("th{background:#f4f4f4}td.k{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}")
          .Append("figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}\n</style>\n</head>\n<body>\n<h1>")
          .Append(E(title)).Append("</h1>\n<table>\n");
        foreach (var (k, v) in summary)
            sb.Append("<tr><td class=\"k\">").Append(E(k)).Append("</td><td class=\"k\">").Append(E(v)).Append("</td></tr>\n");
    }

    /// <summary>Renders the report.</summary>
    /// <param name="title">Page title.</param>
    /// <param name="summary">Rows of the summary table (name, value).</param>
    /// <param name="history">Finished epochs.</param>
    /// <param name="stepLosses">(step, mean training loss) points.</param>
    /// <param name="confusion">The last confusion matrix [actual, predicted], or null.</param>
    /// <param name="classNames">Names of the classes for the matrix, or null for 0..C-1.</param>
    public static string Render(string title, IEnumerable<(string Name, string Value)> summary, IReadOnlyList<EpochRecord> history,
        IReadOnlyList<(long Step, double Loss)> stepLosses, long[,]? confusion = null, IReadOnlyList<string>? classNames = null)
    {
        var sb = new StringBuilder();
        AppendHead(sb, title, summary);
        sb.Append("</table>\n<div class=\"charts\">\n");
        sb.Append(Chart("Training loss by step", "step", [new Series("train loss", Downsample(stepLosses.Select(p => ((double)p.Step, p.Loss)).ToList(), 600))]));
        var lossSeries = new List<Series>();
        foreach (var key in new[] { "train_loss", "val_loss" })
            if (history.Any(r => r.Metrics.ContainsKey(key)))
                lossSeries.Add(new Series(key, history.Where(r => r.Metrics.ContainsKey(key)).Select(r => ((double)r.Epoch, r.Metrics[key])).ToList()));
        sb.Append(Chart("Loss by epoch", "epoch", lossSeries));
        var metricKeys = history.SelectMany(r => r.Metrics.Keys).Distinct()
            .Where(k => !k.EndsWith("loss", StringComparison.Ordinal) && !k.StartsWith("lr", StringComparison.Ordinal)).ToList();
        if (metricKeys.Count > 0)
            sb.Append(Chart("Metrics by epoch", "epoch", metricKeys.Select(k =>
                new Series(k, history.Where(r => r.Metrics.ContainsKey(k)).Select(r => ((double)r.Epoch, r.Metrics[k])).ToList())).ToList()));
        if (history.Any(r => r.LearningRates.Count > 0))
            sb.Append(Chart("Learning rate by epoch", "epoch", [new Series("lr", history.Where(r => r.LearningRates.Count > 0).Select(r => ((double)r.Epoch, r.LearningRates[0])).ToList())]));
        sb.Append("</div>\n");
        if (history.Count > 0)
        {
            var keys = history.SelectMany(r => r.Metrics.Keys).Distinct().ToList();
            sb.Append("<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th><th>step</th><th>seconds</th><th>lr</th>");
            foreach (var k in keys) sb.Append("<th>").Append(E(k)).Append("</th>");
            sb.Append("</tr>\n");
            foreach (var r in history)
            {
                sb.Append("<tr><td>").Append(r.Epoch).Append("</td><td>").Append(r.Step).Append("</td><td>").Append(r.Seconds.ToString("F1", Inv))
                  .Append("</td><td>").Append(r.LearningRates.Count > 0 ? r.LearningRates[0].ToString("G4", Inv) : "").Append("</td>");
                foreach (var k in keys)
                    sb.Append("<td>").Append(r.Metrics.TryGetValue(k, out var v) ? v.ToString("G5", Inv) : "").Append("</td>");
                sb.Append("</tr>\n");
            }
            sb.Append("</table>\n");
        }
        if (confusion is not null)
        {
            int c = confusion.GetLength(0);
            string Name(int i) => classNames is not null && i < classNames.Count ? classNames[i] : i.ToString(Inv);
            long max = 1;
            foreach (var v in confusion) max = Math.Max(max, v);
            sb.Append("<h2>Confusion matrix (rows: true class, columns: predicted)</h2>\n<table>\n<tr><th></th>");
            for (int j = 0; j < c; j++) sb.Append("<th>").Append(E(Name(j))).Append("</th>");
            sb.Append("</tr>\n");
            for (int i = 0; i < c; i++)
            {
                sb.Append("<tr><th>").Append(E(Name(i))).Append("</th>");
                for (int j = 0; j < c; j++)
                {
                    double shade = Math.Sqrt((double)confusion[i, j] / max);
                    int g = (int)(255 - 120 * shade);
                    sb.Append("<td style=\"background:rgb(").Append(g).Append(',').Append(g).Append(",255)\">").Append(confusion[i, j]).Append("</td>");
                }
                sb.Append("</tr>\n");
            }
            sb.Append("</table>\n");
        }
        sb.Append("<p>Generated by Polymath.Training on ").Append(DateTime.UtcNow.ToString("u", Inv)).Append(".</p>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="html"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string html) => AtomicFile.Write(path, s =>
    {
        var bytes = new UTF8Encoding(false).GetBytes(html);
        s.Write(bytes);
    });

    /// <summary>An inline SVG line chart with axes, ticks and a legend (640×320), in a captioned figure.</summary>
    public static string Chart(string caption, string xLabel, IReadOnlyList<Series> series) =>
        "<figure><figcaption>" + E(caption) + "</figcaption>\n" + Svg(xLabel, series) + "</figure>\n";

    /// <summary>The chart alone: a standalone SVG document (640×320) with axes, ticks and a legend.</summary>
    public static string Svg(string xLabel, IReadOnlyList<Series> series)
    {
        const double w = 640, h = 320, left = 60, right = 150, top = 12, bottom = 40;
        var pts = series.SelectMany(Extents).Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToList();
        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
          .Append(w).Append("\" height=\"").Append(h).Append("\" viewBox=\"0 0 ").Append(w).Append(' ').Append(h).Append("\" role=\"img\">\n");
        sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(w).Append("\" height=\"").Append(h).Append("\" fill=\"white\" stroke=\"#ddd\" />\n");
        if (pts.Count == 0)
        {
            sb.Append("<text x=\"").Append(w / 2).Append("\" y=\"").Append(h / 2).Append("\" text-anchor=\"middle\" fill=\"#888\">no data yet</text>\n</svg>\n");
            return sb.ToString();
        }
        double x0 = pts.Min(p => p.X), x1 = pts.Max(p => p.X), y0 = pts.Min(p => p.Y), y1 = pts.Max(p => p.Y);
        if (x1 == x0) { x0 -= 1; x1 += 1; }
        if (y1 == y0) { y0 -= Math.Abs(y0) * 0.1 + 1e-9; y1 += Math.Abs(y1) * 0.1 + 1e-9; }
        double pw = w - left - right, ph = h - top - bottom;
        double X(double x) => left + (x - x0) / (x1 - x0) * pw;
        double Y(double y) => top + (1 - (y - y0) / (y1 - y0)) * ph;
        sb.Append("<g font-size=\"11\" fill=\"#444\">\n");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, yy = Y(yv);
            sb.Append("<line x1=\"").Append(F(left)).Append("\" y1=\"").Append(F(yy)).Append("\" x2=\"").Append(F(left + pw)).Append("\" y2=\"").Append(F(yy))
              .Append("\" stroke=\"#eee\" />\n<text x=\"").Append(F(left - 4)).Append("\" y=\"").Append(F(yy + 4)).Append("\" text-anchor=\"end\">").Append(yv.ToString("G4", Inv)).Append("</text>\n");
            double xv = x0 + (x1 - x0) * i / 4, xx = X(xv);
            sb.Append("<text x=\"").Append(F(xx)).Append("\" y=\"").Append(F(top + ph + 16)).Append("\" text-anchor=\"middle\">").Append(xv.ToString("G5", Inv)).Append("</text>\n");
        }
        sb.Append("<text x=\"").Append(F(left + pw / 2)).Append("\" y=\"").Append(F(h - 6)).Append("\" text-anchor=\"middle\">").Append(E(xLabel)).Append("</text>\n");
        sb.Append("<line x1=\"").Append(F(left)).Append("\" y1=\"").Append(F(top + ph)).Append("\" x2=\"").Append(F(left + pw)).Append("\" y2=\"").Append(F(top + ph)).Append("\" stroke=\"#444\" />\n");
        sb.Append("<line x1=\"").Append(F(left)).Append("\" y1=\"").Append(F(top)).Append("\" x2=\"").Append(F(left)).Append("\" y2=\"").Append(F(top + ph)).Append("\" stroke=\"#444\" />\n</g>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string color = Palette[s % Palette.Length];
            var sp = series[s].Points.Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToList();
            if (sp.Count > 1)
                sb.Append("<polyline fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"1.6\" points=\"")
                  .Append(string.Join(" ", sp.Select(p => F(X(p.X)) + "," + F(Y(p.Y))))).Append("\" />\n");
            if (series[s].Errors is { } errs)
                for (int i = 0; i < series[s].Points.Count && i < errs.Count; i++)
                {
                    var (px, py) = series[s].Points[i];
                    if (!double.IsFinite(px) || !double.IsFinite(py) || !(errs[i] > 0)) continue;
                    sb.Append("<line x1=\"").Append(F(X(px))).Append("\" y1=\"").Append(F(Y(py - errs[i]))).Append("\" x2=\"").Append(F(X(px)))
                      .Append("\" y2=\"").Append(F(Y(py + errs[i]))).Append("\" stroke=\"").Append(color).Append("\" stroke-width=\"1\" />\n");
                }
            foreach (var p in sp.Count <= 60 || series[s].Markers ? sp : [])
                sb.Append("<circle cx=\"").Append(F(X(p.X))).Append("\" cy=\"").Append(F(Y(p.Y))).Append("\" r=\"2.5\" fill=\"").Append(color).Append("\" />\n");
            double ly = top + 14 + 16 * s;
            sb.Append("<rect x=\"").Append(F(left + pw + 10)).Append("\" y=\"").Append(F(ly - 8)).Append("\" width=\"10\" height=\"10\" fill=\"").Append(color).Append("\" />")
              .Append("<text x=\"").Append(F(left + pw + 24)).Append("\" y=\"").Append(F(ly + 1)).Append("\" font-size=\"11\">").Append(E(series[s].Name)).Append("</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    // The points a series needs room for: the values, and the ends of their error bars.
    private static IEnumerable<(double X, double Y)> Extents(Series s)
    {
        for (int i = 0; i < s.Points.Count; i++)
        {
            var (x, y) = s.Points[i];
            yield return (x, y);
            if (s.Errors is { } e && i < e.Count && e[i] > 0)
            {
                yield return (x, y - e[i]);
                yield return (x, y + e[i]);
            }
        }
    }

    private static List<(double X, double Y)> Downsample(List<(double X, double Y)> points, int max)
    {
        if (points.Count <= max)
            return points;
        var result = new List<(double, double)>();
        int bucket = (points.Count + max - 1) / max;
        for (int i = 0; i < points.Count; i += bucket)
        {
            var slice = points.Skip(i).Take(bucket).ToList();
            result.Add((slice[^1].X, slice.Average(p => p.Y)));
        }
        return result;
    }

    private static string F(double v) => v.ToString("0.##", Inv);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
