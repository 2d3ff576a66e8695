using System.Globalization;
using System.Text;

namespace Polymath.Data;

/// <summary>What to do with an empty (or NA) field in a column.</summary>
public enum MissingPolicy
{
    /// <summary>Throw an <see cref="InvalidDataException"/> naming the file, line and column.</summary>
    Error,
    /// <summary>Numeric columns: NaN. Categorical columns: code -1.</summary>
    Missing,
}

/// <summary>The kind of a CSV column.</summary>
public enum CsvColumnKind
{
    /// <summary>A number (invariant culture, '.' decimal point), read as float64.</summary>
    Numeric,
    /// <summary>A category, read as an int64 code into <see cref="CsvColumn.Categories"/>.</summary>
    Categorical,
}

/// <summary>One column of a <see cref="CsvSchema"/>.</summary>
public sealed class CsvColumn
{
    private CsvColumn(string name, CsvColumnKind kind, MissingPolicy missing, IReadOnlyList<string>? categories)
    {
        (Name, Kind, Missing, Categories) = (name, kind, missing, categories);
    }

    /// <summary>The column name (matched against the header when there is one).</summary>
    public string Name { get; }

    /// <summary>Numeric or categorical.</summary>
    public CsvColumnKind Kind { get; }

    /// <summary>What an empty field becomes.</summary>
    public MissingPolicy Missing { get; }

    /// <summary>Fixed categories (code = position), or null to collect them in order of first appearance.</summary>
    public IReadOnlyList<string>? Categories { get; }

    /// <summary>A numeric column.</summary>
    public static CsvColumn Numeric(string name, MissingPolicy missing = MissingPolicy.Error) => new(name, CsvColumnKind.Numeric, missing, null);

    /// <summary>A categorical column; with <paramref name="categories"/> given, other values are an error.</summary>
    public static CsvColumn Categorical(string name, IReadOnlyList<string>? categories = null, MissingPolicy missing = MissingPolicy.Error) =>
        new(name, CsvColumnKind.Categorical, missing, categories?.ToArray());
}

/// <summary>The columns a CSV file is expected to have.</summary>
/// <param name="Columns">The columns to read, in the order they appear in the result.</param>
/// <param name="HasHeader">True when the first record names the columns; columns are then found by name
/// (extra columns in the file are ignored). Without a header, schema column i is file column i.</param>
/// <param name="Delimiter">Field separator.</param>
/// <param name="MissingValues">Field texts treated as missing besides the empty string (e.g. "NA").</param>
public sealed record CsvSchema(IReadOnlyList<CsvColumn> Columns, bool HasHeader = true, char Delimiter = ',', IReadOnlyList<string>? MissingValues = null);

/// <summary>A CSV file read with a <see cref="CsvSchema"/>: one array per column.</summary>
public sealed class CsvTable
{
    internal CsvTable(CsvSchema schema, double[][] numeric, long[][] codes, string[][] categories, int rows)
    {
        (Schema, _numeric, _codes, _categories, RowCount) = (schema, numeric, codes, categories, rows);
    }

    private readonly double[][] _numeric;
    private readonly long[][] _codes;
    private readonly string[][] _categories;

    /// <summary>The schema it was read with.</summary>
    public CsvSchema Schema { get; }

    /// <summary>Number of data rows.</summary>
    public int RowCount { get; }

    private int IndexOf(string column)
    {
        for (int i = 0; i < Schema.Columns.Count; i++)
            if (Schema.Columns[i].Name == column) return i;
        throw new KeyNotFoundException($"CsvTable: no column '{column}' (columns: {string.Join(", ", Schema.Columns.Select(c => c.Name))}).");
    }

    /// <summary>A numeric column's values (NaN where missing).</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    /// <exception cref="InvalidOperationException">The column is categorical.</exception>
    public double[] Numeric(string column)
    {
        int i = IndexOf(column);
        return Schema.Columns[i].Kind == CsvColumnKind.Numeric ? _numeric[i] : throw new InvalidOperationException($"CsvTable: column '{column}' is categorical.");
    }

    /// <summary>A categorical column's codes (-1 where missing).</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    /// <exception cref="InvalidOperationException">The column is numeric.</exception>
    public long[] Codes(string column)
    {
        int i = IndexOf(column);
        return Schema.Columns[i].Kind == CsvColumnKind.Categorical ? _codes[i] : throw new InvalidOperationException($"CsvTable: column '{column}' is numeric.");
    }

    /// <summary>The categories of a categorical column (code = position).</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public IReadOnlyList<string> Categories(string column) => _categories[IndexOf(column)];

    /// <summary>
    /// The given columns side by side as float32 [rows, columns] (categorical columns contribute their codes),
    /// e.g. the features of a tabular model.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public Tensor ToTensor(params string[] columns)
    {
        var idx = columns.Select(IndexOf).ToArray();
        var data = new float[RowCount * idx.Length];
        for (int c = 0; c < idx.Length; c++)
        {
            bool num = Schema.Columns[idx[c]].Kind == CsvColumnKind.Numeric;
            for (int r = 0; r < RowCount; r++)
                data[r * idx.Length + c] = num ? (float)_numeric[idx[c]][r] : _codes[idx[c]][r];
        }
        return Tensor.Wrap(data, RowCount, idx.Length);
    }

    /// <summary>A data set of (features float32 [F], target) rows: a numeric target is float32 [], a categorical one int64 [].</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public Dataset<(Tensor, Tensor)> ToDataset(string[] features, string target)
    {
        var x = ToTensor(features);
        int t = IndexOf(target);
        var y = Schema.Columns[t].Kind == CsvColumnKind.Numeric
            ? Tensor.From(_numeric[t].Select(v => (float)v).ToArray(), RowCount)
            : Tensor.From(_codes[t], RowCount);
        return new TensorDataset(x, y).Map(item => (item[0], item[1]));
    }
}

/// <summary>
/// An RFC 4180 CSV reader: quoted fields may hold the delimiter, line breaks and doubled quotes (<c>""</c>);
/// CRLF and LF line ends are both accepted.
/// </summary>
public static class Csv
{
    /// <summary>Reads the records of a CSV text; each record is its list of fields. Blank lines are skipped.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">Used in error messages (e.g. the file name).</param>
    /// <param name="delimiter">Field separator.</param>
    /// <exception cref="InvalidDataException">A quote inside an unquoted field, text after a closing quote, or a quoted
    /// field that never closes; the message names the line and column.</exception>
    public static IEnumerable<(int Line, string[] Fields)> ReadRecords(TextReader reader, string name = "csv", char delimiter = ',')
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, col = 0, recordLine = 1;
        bool inQuotes = false, quoted = false, afterQuote = false, any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            col++;
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); col++; field.Append('"'); }
                    else { inQuotes = false; afterQuote = true; }
                }
                else
                {
                    if (ch == '\n') { line++; col = 0; }
                    field.Append(ch);
                }
                continue;
            }
            if (ch == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                quoted = afterQuote = false;
                any = true;
            }
            else if (ch == '\r' || ch == '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                if (any || field.Length > 0 || quoted)
                {
                    fields.Add(field.ToString());
                    yield return (recordLine, fields.ToArray());
                }
                fields.Clear();
                field.Clear();
                quoted = afterQuote = any = false;
                line++;
                col = 0;
                recordLine = line;
            }
            else if (afterQuote)
            {
                throw new InvalidDataException($"{name}: line {line}, column {col}: unexpected '{ch}' after a closing quote.");
            }
            else if (ch == '"')
            {
                if (field.Length > 0)
                    throw new InvalidDataException($"{name}: line {line}, column {col}: a quote inside an unquoted field (quote the whole field and double inner quotes).");
                inQuotes = quoted = true;
            }
            else
            {
                field.Append(ch);
            }
        }
        if (inQuotes)
            throw new InvalidDataException($"{name}: line {recordLine}: a quoted field is not closed before the end of the file.");
        if (any || field.Length > 0 || quoted)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields.ToArray());
        }
    }

    /// <summary>Reads a CSV file with a schema.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A malformed record, a missing column in the header, a row with too few fields,
    /// an unparsable number, an unknown category, or a missing value in an <see cref="MissingPolicy.Error"/> column;
    /// the message names the file, line and column.</exception>
    public static CsvTable Read(string path, CsvSchema schema)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, schema, path);
    }

    /// <summary>Reads CSV text with a schema; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Read(string, CsvSchema)"/>.</exception>
    public static CsvTable Read(TextReader reader, CsvSchema schema, string name = "csv")
    {
        var cols = schema.Columns;
        var position = new int[cols.Count];
        var numeric = new List<double>[cols.Count];
        var codes = new List<long>[cols.Count];
        var cats = new List<string>[cols.Count];
        var catIndex = new Dictionary<string, int>[cols.Count];
        for (int i = 0; i < cols.Count; i++)
        {
            position[i] = i;
            numeric[i] = new();
            codes[i] = new();
            cats[i] = cols[i].Categories?.ToList() ?? new();
            catIndex[i] = new(StringComparer.Ordinal);
            for (int k = 0; k < cats[i].Count; k++) catIndex[i][cats[i][k]] = k;
        }
        var missing = new HashSet<string>(schema.MissingValues ?? [], StringComparer.Ordinal) { "" };
        bool first = true;
        int rows = 0;
        foreach (var (line, fields) in ReadRecords(reader, name, schema.Delimiter))
        {
            if (first && schema.HasHeader)
            {
                first = false;
                var header = fields.Select(f => f.Trim()).ToArray();
                var absent = new List<string>();
                for (int i = 0; i < cols.Count; i++)
                {
                    position[i] = Array.IndexOf(header, cols[i].Name);
                    if (position[i] < 0) absent.Add(cols[i].Name);
                }
                if (absent.Count > 0)
                    throw new InvalidDataException($"{name}: line {line}: the header lacks column(s) {string.Join(", ", absent.Select(a => $"'{a}'"))} (header: {string.Join(", ", header)}).");
                continue;
            }
            first = false;
            for (int i = 0; i < cols.Count; i++)
            {
                if (position[i] >= fields.Length)
                    throw new InvalidDataException($"{name}: line {line}: {fields.Length} fields, but column '{cols[i].Name}' is field {position[i] + 1}.");
                string text = fields[position[i]].Trim();
                bool isMissing = missing.Contains(text);
                if (isMissing && cols[i].Missing == MissingPolicy.Error)
                    throw new InvalidDataException($"{name}: line {line}, column '{cols[i].Name}': missing value (the column's policy is Error).");
                if (cols[i].Kind == CsvColumnKind.Numeric)
                {
                    if (isMissing) numeric[i].Add(double.NaN);
                    else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) numeric[i].Add(v);
                    else throw new InvalidDataException($"{name}: line {line}, column '{cols[i].Name}': '{text}' is not a number.");
                }
                else if (isMissing)
                {
                    codes[i].Add(-1);
                }
                else if (catIndex[i].TryGetValue(text, out int code))
                {
                    codes[i].Add(code);
                }
                else if (cols[i].Categories is not null)
                {
                    throw new InvalidDataException($"{name}: line {line}, column '{cols[i].Name}': '{text}' is not one of the categories {string.Join(", ", cols[i].Categories!)}.");
                }
                else
                {
                    catIndex[i][text] = cats[i].Count;
                    codes[i].Add(cats[i].Count);
                    cats[i].Add(text);
                }
            }
            rows++;
        }
        return new CsvTable(schema, numeric.Select(l => l.ToArray()).ToArray(), codes.Select(l => l.ToArray()).ToArray(), cats.Select(l => l.ToArray()).ToArray(), rows);
    }
}
