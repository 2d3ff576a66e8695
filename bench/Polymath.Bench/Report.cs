using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Polymath.Bench;

/// <summary>Formats rows as JSON lines or as an aligned plain-text table.</summary>
public static class Report
{
    /// <summary>One JSON object: name, ours_s, peer_s, ratio, unit, then the extra figures and notes.</summary>
    public static string Json(BenchRow row)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("name", row.Name);
            WriteValue(w, "ours_s", row.OursS);
            WriteValue(w, "peer_s", row.PeerS);
            WriteValue(w, "ratio", row.Ratio);
            w.WriteString("unit", row.Unit);
            w.WriteString("group", row.Group);
            foreach (var kv in row.Extras)
                WriteValue(w, kv.Key, kv.Value);
            if (row.Notes.Count > 0)
                w.WriteString("note", string.Join("; ", row.Notes));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, string key, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNull(key);
                break;
            case double d when double.IsFinite(d):
                w.WriteNumber(key, d);
                break;
            case double:
                w.WriteNull(key);
                break;
            case int i:
                w.WriteNumber(key, i);
                break;
            case long l:
                w.WriteNumber(key, l);
                break;
            case bool b:
                w.WriteBoolean(key, b);
                break;
            default:
                w.WriteString(key, value.ToString());
                break;
        }
    }

    /// <summary>Human-readable seconds: ns, us, ms or s with three significant digits.</summary>
    public static string Time(double? s)
    {
        if (s is not double v)
            return "n/a";
        return v switch
        {
            < 1e-6 => $"{Sig(v * 1e9)} ns",
            < 1e-3 => $"{Sig(v * 1e6)} us",
            < 1 => $"{Sig(v * 1e3)} ms",
            _ => $"{Sig(v)} s",
        };
    }

    public static string Ratio(double? r) => r is double v ? Sig(v) + "x" : "n/a";

    /// <summary>Three significant digits, invariant culture.</summary>
    public static string Sig(double v)
    {
        if (!double.IsFinite(v))
            return v.ToString(CultureInfo.InvariantCulture);
        double a = Math.Abs(v);
        string fmt = a >= 100 ? "F0" : a >= 10 ? "F1" : a >= 1 ? "F2" : a >= 0.1 ? "F3" : "G3";
        return v.ToString(fmt, CultureInfo.InvariantCulture);
    }

    /// <summary>Extras worth showing in the table (threads, provider, reps and raw minima are left to --json).</summary>
    public static string ExtrasText(BenchRow row)
    {
        var parts = new List<string>();
        foreach (var (k, v) in row.Extras)
        {
            if (k is "threads" or "provider" or "reps" or "ours_min_s" or "torch" or "ours_ns_per_op" or "peer_ns_per_op" or "triad_gbs" or "copy_gbs" or "read_gbs")
                continue;
            string text = v switch
            {
                null => "n/a",
                double d when k.EndsWith("_s", StringComparison.Ordinal) => Time(d),
                double d when k.StartsWith("fraction", StringComparison.Ordinal) || k.StartsWith("peer_fraction", StringComparison.Ordinal) => d.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", ""),
                double d => Sig(d),
                _ => v.ToString() ?? "",
            };
            parts.Add($"{k}={text}");
        }
        return string.Join("  ", parts);
    }

    public static readonly string[] Headers = ["name", "ours", "torch", "ratio", "extra figures"];

    public static string[] Cells(BenchRow row) =>
        [row.Name, Time(row.OursS), Time(row.PeerS), Ratio(row.Ratio), ExtrasText(row)];

    /// <summary>An aligned plain-text table, notes listed under it.</summary>
    public static string PlainTable(IReadOnlyList<BenchRow> rows)
    {
        var all = new List<string[]> { Headers };
        all.AddRange(rows.Select(Cells));
        int cols = Headers.Length;
        var width = new int[cols];
        foreach (var r in all)
            for (int c = 0; c < cols - 1; c++)
                width[c] = Math.Max(width[c], r[c].Length);
        var sb = new StringBuilder();
        foreach (var r in all)
        {
            for (int c = 0; c < cols; c++)
            {
                bool right = c is 1 or 2 or 3;
                string cell = c == cols - 1 ? r[c] : right ? r[c].PadLeft(width[c]) : r[c].PadRight(width[c]);
                sb.Append(cell);
                if (c < cols - 1)
                    sb.Append("  ");
            }
            sb.AppendLine();
        }
        var notes = Notes(rows);
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (string n in notes)
                sb.AppendLine(n);
        }
        return sb.ToString();
    }

    /// <summary>"name: note" lines for rows that carry notes.</summary>
    public static List<string> Notes(IReadOnlyList<BenchRow> rows) =>
        rows.Where(r => r.Notes.Count > 0).Select(r => $"note {r.Name}: {string.Join("; ", r.Notes)}").ToList();
}
