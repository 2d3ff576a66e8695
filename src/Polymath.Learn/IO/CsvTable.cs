using System.Globalization;
using System.Text;

namespace Polymath.Learn;

/// <summary>Type of a table column.</summary>
public enum ColumnType
{
    /// <summary>Numbers (missing values allowed: empty, NA, NaN, ?, null).</summary>
    Numeric,

    /// <summary>Text categories, one-hot encoded for models.</summary>
    Categorical,
}

/// <summary>
/// A CSV file read as text columns with a header row (RFC 4180 quoting, comma separator). Column types come from a
/// schema or are inferred: a column is numeric when every non-missing cell parses as a number (invariant culture).
/// </summary>
public sealed class CsvTable
{
    private static readonly HashSet<string> s_missing = new(StringComparer.OrdinalIgnoreCase) { "", "NA", "N/A", "NaN", "?", "null", "None" };

    private CsvTable(string source, string[] names, List<string[]> rows)
    {
        Source = source;
        Names = names;
        Rows = rows;
    }

    /// <summary>File name (for messages).</summary>
    public string Source { get; }

    /// <summary>Column names from the header.</summary>
    public string[] Names { get; }

    /// <summary>The cells, row by row.</summary>
    public List<string[]> Rows { get; }

    /// <summary>True for the cells read as missing values.</summary>
    public static bool IsMissing(string cell) => s_missing.Contains(cell.Trim());

    /// <summary>Reads a CSV file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">No header, a duplicate column name, or a row with the wrong number of cells (line named).</exception>
    public static CsvTable Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, path);
    }

    /// <summary>Parses CSV text.</summary>
    public static CsvTable Parse(TextReader reader, string source = "<csv>")
    {
        var records = new List<(int Line, string[] Cells)>();
        int line = 1;
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, any = false;
        int recordLine = 1;
        int ch;
        while ((ch = reader.Read()) >= 0)
        {
            char c = (char)ch;
            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); cell.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    cell.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    if (!(cells.Count == 1 && cells[0].Length == 0))
                        records.Add((recordLine, cells.ToArray()));
                    cells.Clear();
                    line++;
                    recordLine = line;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }
        if (quoted)
            throw new InvalidDataException($"{source}: line {recordLine}: a quoted cell is not closed.");
        if (any && (cell.Length > 0 || cells.Count > 0))
        {
            cells.Add(cell.ToString());
            records.Add((recordLine, cells.ToArray()));
        }
        if (records.Count == 0)
            throw new InvalidDataException($"{source}: the file is empty (a header row is needed).");
        var names = records[0].Cells.Select(n => n.Trim()).ToArray();
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new InvalidDataException($"{source}: column '{dup.Key}' appears twice in the header.");
        var rows = new List<string[]>();
        foreach (var (l, r) in records.Skip(1))
        {
            if (r.Length != names.Length)
                throw new InvalidDataException($"{source}: line {l} has {r.Length} cells but the header has {names.Length}.");
            rows.Add(r);
        }
        return new CsvTable(source, names, rows);
    }

    /// <summary>Index of a column.</summary>
    /// <exception cref="KeyNotFoundException">No such column (the message lists the columns).</exception>
    public int IndexOf(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i >= 0 ? i : throw new KeyNotFoundException($"{Source}: no column '{name}'; columns: {string.Join(", ", Names)}.");
    }

    /// <summary>Numeric when every non-missing cell parses as a number (and at least one does), else categorical.</summary>
    public ColumnType InferType(int column)
    {
        bool seen = false;
        foreach (var r in Rows)
        {
            string s = r[column].Trim();
            if (IsMissing(s))
                continue;
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                return ColumnType.Categorical;
            seen = true;
        }
        return seen ? ColumnType.Numeric : ColumnType.Categorical;
    }

    /// <summary>A numeric column as doubles, NaN for missing cells.</summary>
    /// <exception cref="InvalidDataException">A cell is not a number (row and column named).</exception>
    public double[] Numeric(int column)
    {
        var r = new double[Rows.Count];
        for (int i = 0; i < Rows.Count; i++)
        {
            string s = Rows[i][column].Trim();
            if (IsMissing(s))
                r[i] = double.NaN;
            else if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]))
                throw new InvalidDataException($"{Source}: data row {i + 1}, column '{Names[column]}': '{s}' is not a number, but the column is numeric.");
        }
        return r;
    }

    /// <summary>A column's cells, trimmed; null for missing cells.</summary>
    public string?[] Text(int column) => Rows.Select(r => IsMissing(r[column]) ? null : r[column].Trim()).ToArray();
}
