using System.Security.Cryptography;
using System.Text;

namespace Polymath.Hub.Csv;

/// <summary>
/// Row-level summary of how a CSV file changed between two versions, matching rows by a key column: rows added,
/// removed, changed (same key, other values) and unchanged, with a few example keys of each. Memory holds one hash
/// per row of the old file, not the rows themselves.
/// </summary>
internal sealed record CsvRowDiff(string Key, List<string> OldColumns, List<string> NewColumns, long Added, long Removed, long Changed, long Unchanged,
    List<string> AddedKeys, List<string> RemovedKeys, List<string> ChangedKeys)
{
    /// <summary>How many example keys of each kind are listed.</summary>
    public const int ExampleKeys = 20;

    /// <summary>Compares two CSV files (with header rows) by the column named <paramref name="key"/>.</summary>
    /// <exception cref="FormatException">a file is not valid CSV, lacks the key column, or repeats a key (with line numbers).</exception>
    public static CsvRowDiff Compute(Stream oldCsv, Stream newCsv, string key)
    {
        var (oldColumns, oldRows) = Index(oldCsv, key, "old");
        var reader = new CsvReader(new StreamReader(newCsv, new UTF8Encoding(false, true)));
        var newColumns = reader.Read() ?? throw new FormatException("the new file is empty (no header row).");
        int k = KeyIndex(newColumns, key, "new");
        long added = 0, changed = 0, unchanged = 0;
        var addedKeys = new List<string>();
        var changedKeys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() is { } row)
        {
            string id = KeyOf(row, k, reader.RecordLine, "new");
            if (!seen.Add(id))
                throw new FormatException($"new file, line {reader.RecordLine}: key '{id}' appears twice in column '{key}'.");
            string hash = RowHash(newColumns, row);
            if (!oldRows.Remove(id, out var oldHash))
                Count(ref added, addedKeys, id);
            else if (oldHash != hash)
                Count(ref changed, changedKeys, id);
            else
                unchanged++;
        }
        var removedKeys = oldRows.Keys.Order(StringComparer.Ordinal).Take(ExampleKeys).ToList();
        return new CsvRowDiff(key, oldColumns, newColumns, added, oldRows.Count, changed, unchanged, addedKeys, removedKeys, changedKeys);
    }

    private static void Count(ref long n, List<string> examples, string id)
    {
        n++;
        if (examples.Count < ExampleKeys)
            examples.Add(id);
    }

    private static (List<string> Columns, Dictionary<string, string> Rows) Index(Stream csv, string key, string which)
    {
        var reader = new CsvReader(new StreamReader(csv, new UTF8Encoding(false, true)));
        var columns = reader.Read() ?? throw new FormatException($"the {which} file is empty (no header row).");
        int k = KeyIndex(columns, key, which);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() is { } row)
        {
            string id = KeyOf(row, k, reader.RecordLine, which);
            if (!rows.TryAdd(id, RowHash(columns, row)))
                throw new FormatException($"{which} file, line {reader.RecordLine}: key '{id}' appears twice in column '{key}'.");
        }
        return (columns, rows);
    }

    private static int KeyIndex(List<string> header, string key, string which)
    {
        int k = header.IndexOf(key);
        return k >= 0 ? k : throw new FormatException($"the {which} file has no column '{key}'; its columns are: {string.Join(", ", header)}.");
    }

    private static string KeyOf(List<string> row, int k, long line, string which) =>
        k < row.Count ? row[k] : throw new FormatException($"{which} file, line {line}: the row has {row.Count} fields, too few for the key column.");

    /// <summary>Hash of a row's values by column name, so reordering columns alone does not count as a change.</summary>
    private static string RowHash(List<string> header, List<string> row)
    {
        var sb = new StringBuilder();
        foreach (var i in Enumerable.Range(0, header.Count).OrderBy(i => header[i], StringComparer.Ordinal))
            sb.Append(header[i]).Append('\u001f').Append(i < row.Count ? row[i] : "").Append('\u001e');
        for (int i = header.Count; i < row.Count; i++)
            sb.Append(row[i]).Append('\u001e');
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())), 0, 16);
    }
}
