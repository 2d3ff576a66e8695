using System.Data.Common;

namespace Polymath.Hub.Data;

/// <summary>Typed access to the current row of a reader, by column position, alike on SQLite and PostgreSQL.</summary>
internal sealed class Row(DbDataReader reader)
{
    /// <summary>A TEXT column.</summary>
    public string Text(int i) => reader.GetString(i);

    /// <summary>A TEXT column that may be NULL.</summary>
    public string? TextOrNull(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    /// <summary>An integer column (INTEGER in SQLite, BIGINT in PostgreSQL).</summary>
    public long Long(int i) => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An integer column used as a flag.</summary>
    public bool Bool(int i) => Long(i) != 0;
}
