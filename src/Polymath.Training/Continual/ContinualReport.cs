using System.Globalization;
using System.Net;
using System.Text;

namespace Polymath.Training.Continual;

/// <summary>
/// A self-contained HTML report of continual-learning runs: the settings, charts of average accuracy, forgetting and
/// backward transfer after each task (one curve per strategy), each strategy's per-task accuracy curves, and the
/// accuracy matrices. Well-formed XHTML with inline SVG, like <see cref="HtmlReport"/>.
/// </summary>
public static class ContinualReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders the report.</summary>
    /// <param name="title">Page title.</param>
    /// <param name="summary">Rows of the settings table (name, value).</param>
    /// <param name="taskNames">The tasks' names in training order.</param>
    /// <param name="results">One result per strategy, all over the same tasks.</param>
    public static string Render(string title, IEnumerable<(string Name, string Value)> summary, IReadOnlyList<string> taskNames, IReadOnlyList<ContinualResult> results)
    {
        var sb = new StringBuilder();
        HtmlReport.AppendHead(sb, title, summary);
        sb.Append("</table>\n");

        sb.Append("<h2>After each task</h2>\n<p>A<sub>i</sub> = mean<sub>j≤i</sub> R[i,j]; F<sub>i</sub> = mean<sub>j&lt;i</sub> (max<sub>l&lt;i</sub> R[l,j] − R[i,j]) ")
          .Append("(Chaudhry et al. 2018); BWT<sub>i</sub> = mean<sub>j&lt;i</sub> (R[i,j] − R[j,j]) (Lopez-Paz &amp; Ranzato 2017). x: tasks trained.</p>\n<div class=\"charts\">\n");
        List<HtmlReport.Series> Curves(Func<AccuracyMatrix, double[]> metric) =>
            results.Select(r => new HtmlReport.Series(r.Strategy, metric(r.Accuracy).Select((v, i) => ((double)(i + 1), v)).ToList(), Markers: true)).ToList();
        sb.Append(HtmlReport.Chart("Average accuracy A_i", "tasks trained", Curves(m => m.AverageAccuracies())));
        sb.Append(HtmlReport.Chart("Forgetting F_i", "tasks trained", Curves(m => m.Forgettings())));
        sb.Append(HtmlReport.Chart("Backward transfer BWT_i", "tasks trained", Curves(m => m.BackwardTransfers())));
        foreach (var r in results)
        {
            var perTask = new List<HtmlReport.Series>();
            for (int j = 0; j < taskNames.Count; j++)
                perTask.Add(new HtmlReport.Series("task " + taskNames[j],
                    Enumerable.Range(j, Math.Max(0, r.Accuracy.Rows - j)).Select(i => ((double)(i + 1), r.Accuracy[i, j])).ToList(), Markers: true));
            sb.Append(HtmlReport.Chart($"{r.Strategy}: accuracy on each task", "tasks trained", perTask));
        }
        sb.Append("</div>\n");

        sb.Append("<h2>Summary table</h2>\n<table>\n<tr><th>strategy</th><th>metric</th>");
        for (int i = 0; i < taskNames.Count; i++) sb.Append("<th>after ").Append(i + 1).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var r in results)
            foreach (var (name, values) in new[] { ("A", r.Accuracy.AverageAccuracies()), ("F", r.Accuracy.Forgettings()), ("BWT", r.Accuracy.BackwardTransfers()) })
            {
                sb.Append("<tr><td class=\"k\">").Append(E(r.Strategy)).Append("</td><td class=\"k\">").Append(name).Append("</td>");
                for (int i = 0; i < taskNames.Count; i++)
                    sb.Append("<td>").Append(i < values.Length && double.IsFinite(values[i]) ? values[i].ToString("F4", Inv) : "–").Append("</td>");
                sb.Append("</tr>\n");
            }
        sb.Append("</table>\n");

        foreach (var r in results)
        {
            sb.Append("<h2>").Append(E(r.Strategy)).Append(": accuracy matrix R[i, j] (row: after task i; column: tested on task j)</h2>\n");
            if (r.Settings.Count > 0)
                sb.Append("<p>").Append(E(string.Join(", ", r.Settings.Select(s => $"{s.Key} = {Format(s.Value)}")))).Append("</p>\n");
            sb.Append("<table>\n<tr><th></th>");
            foreach (var n in taskNames) sb.Append("<th>").Append(E(n)).Append("</th>");
            sb.Append("<th>seconds</th></tr>\n");
            for (int i = 0; i < r.Accuracy.Rows; i++)
            {
                sb.Append("<tr><th>after ").Append(E(taskNames[i])).Append("</th>");
                for (int j = 0; j < taskNames.Count; j++)
                {
                    double v = r.Accuracy[i, j];
                    int g = (int)(255 - 110 * Math.Clamp(double.IsFinite(v) ? v : 0, 0, 1));
                    string style = j <= i ? $" style=\"background:rgb({g},255,{g})\"" : " style=\"color:#999\"";
                    sb.Append("<td").Append(style).Append('>').Append(double.IsFinite(v) ? v.ToString("F4", Inv) : "–").Append("</td>");
                }
                sb.Append("<td>").Append(i < r.Seconds.Length ? r.Seconds[i].ToString("F1", Inv) : "").Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        sb.Append("<p>Entries right of the diagonal (grey) are tasks not trained yet; the metrics do not use them.</p>\n");
        sb.Append("<p>Generated by Polymath.Training on ").Append(DateTime.UtcNow.ToString("u", Inv)).Append(".</p>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Format(object? v) => v switch
    {
        null => "null",
        double d => d.ToString("G6", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => v.ToString() ?? "",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
