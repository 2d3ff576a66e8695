using System.Text;

namespace Polymath.Hub.Csv;

/// <summary>
/// Streams RFC 4180 records from text: fields separated by commas, optionally in double quotes (with "" for a quote),
/// records ended by LF or CRLF, quoted fields may span lines.
/// </summary>
internal sealed class CsvReader(TextReader text)
{
    private long _line = 1;

    /// <summary>Line on which the record returned last started (1-based).</summary>
    public long RecordLine { get; private set; }

    /// <summary>The next record, or null at the end.</summary>
    /// <exception cref="FormatException">a quoted field is not closed, or a quote appears inside an unquoted field.</exception>
    public List<string>? Read()
    {
        int c = text.Read();
        if (c < 0)
            return null;
        RecordLine = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        while (true)
        {
            if (quoted)
            {
                if (c < 0)
                    throw new FormatException($"line {RecordLine}: a quoted field is not closed before the end of the file.");
                if (c == '"')
                {
                    if (text.Peek() == '"') { text.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') _line++;
                    field.Append((char)c);
                }
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c is '\n' or -1)
            {
                if (c == '\n') _line++;
                if (field.Length > 0 && field[^1] == '\r' && !wasQuoted) field.Length--;
                fields.Add(field.ToString());
                return fields;
            }
            else if (c == '\r' && text.Peek() == '\n')
            {
                // CRLF: the LF ends the record.
            }
            else if (c == '"')
            {
                throw new FormatException($"line {_line}: a quote inside an unquoted field (quote the whole field and double the quote).");
            }
            else if (wasQuoted)
            {
                throw new FormatException($"line {_line}: text after the closing quote of a field.");
            }
            else
            {
                field.Append((char)c);
            }
            c = text.Read();
        }
    }
}
