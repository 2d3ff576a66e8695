using System.Data.Common;

namespace Polymath.Hub.Data;

/// <summary>Runs parameterised SQL on one connection (and its transaction, if any). Parameters are written <c>@name</c>.</summary>
internal sealed class Sql(DbConnection connection, DbTransaction? transaction, CancellationToken cancel)
{
    /// <summary>The cancellation token of the work this belongs to.</summary>
    public CancellationToken Cancel => cancel;

    /// <summary>Runs a statement; returns the number of rows it changed.</summary>
    public async Task<int> ExecAsync(string sql, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(sql, args);
        return await cmd.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>The first column of the first row, converted to <typeparamref name="T"/> (default when there is no row or it is NULL).</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(sql, args);
        object? v = await cmd.ExecuteScalarAsync(cancel);
        if (v is null or DBNull)
            return default;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(v, target, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row, mapped by <paramref name="map"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<Row, T> map, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(sql, args);
        await using var reader = await cmd.ExecuteReaderAsync(cancel);
        var rows = new List<T>();
        var row = new Row(reader);
        while (await reader.ReadAsync(cancel))
            rows.Add(map(row));
        return rows;
    }

    /// <summary>The first row mapped, or default when there is none.</summary>
    public async Task<T?> SingleAsync<T>(string sql, Func<Row, T> map, params (string Name, object? Value)[] args)
    {
        var rows = await QueryAsync(sql, map, args);
        return rows.Count > 0 ? rows[0] : default;
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }
}
