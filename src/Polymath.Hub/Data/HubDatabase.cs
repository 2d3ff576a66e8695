using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Polymath.Hub.Data;

/// <summary>
/// The hub's database: SQLite (a file, the embedded default) or PostgreSQL (chosen by a connection string
/// with <c>Host=</c>). Opens connections, runs work in transactions and brings the schema up to date.
/// </summary>
internal sealed class HubDatabase : IAsyncDisposable
{
    private readonly string? _sqliteConnectionString;
    private readonly NpgsqlDataSource? _postgres;

    private HubDatabase(SqlDialect dialect, string? sqlite, NpgsqlDataSource? postgres)
    {
        Dialect = dialect;
        _sqliteConnectionString = sqlite;
        _postgres = postgres;
    }

    /// <summary>The SQL differences of this backend.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>
    /// Opens the database a connection string names: <c>Host=…</c> (or a postgres:// URL) is PostgreSQL; <c>Data Source=FILE</c>
    /// or a bare path is SQLite; null is SQLite at <c>DATA/hub.db</c>.
    /// </summary>
    public static HubDatabase Open(string? connection, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(connection))
            return OpenSqlite(Path.Combine(dataDir, "hub.db"));
        string c = connection.Trim();
        if (c.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            c = PostgresUrl.ToConnectionString(c);
        if (c.Contains("Host=", StringComparison.OrdinalIgnoreCase) || c.Contains("Server=", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new NpgsqlConnectionStringBuilder(c);
            return new HubDatabase(SqlDialect.Postgres, null, NpgsqlDataSource.Create(builder.ConnectionString));
        }
        if (c.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            return OpenSqlite(new SqliteConnectionStringBuilder(c).DataSource);
        return OpenSqlite(c);
    }

    private static HubDatabase OpenSqlite(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var b = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 60, // seconds a writer waits for another's lock before SQLITE_BUSY
            ForeignKeys = true,
        };
        return new HubDatabase(SqlDialect.Sqlite, b.ConnectionString, null);
    }

    /// <summary>An open connection (the caller disposes it).</summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancel)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(cancel);
        var c = new SqliteConnection(_sqliteConnectionString);
        await c.OpenAsync(cancel);
        return c;
    }

    /// <summary>Runs <paramref name="work"/> on one connection without an explicit transaction (reads).</summary>
    public async Task<T> ReadAsync<T>(Func<Sql, Task<T>> work, CancellationToken cancel)
    {
        await using var c = await OpenConnectionAsync(cancel);
        return await work(new Sql(c, null, cancel));
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, committed when it returns and rolled back when it throws.
    /// SQLite transactions take the write lock at BEGIN (IMMEDIATE), so writers queue rather than deadlock.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<Sql, Task<T>> work, CancellationToken cancel)
    {
        await using var c = await OpenConnectionAsync(cancel);
        await using var tx = c is SqliteConnection s ? s.BeginTransaction(deferred: false) : await c.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancel);
        var result = await work(new Sql(c, tx, cancel));
        await tx.CommitAsync(cancel);
        return result;
    }

    /// <summary>Applies the migration steps that this database has not seen yet.</summary>
    public async Task MigrateAsync(CancellationToken cancel)
    {
        if (Dialect == SqlDialect.Sqlite)
        {
            // WAL: readers do not block the writer, and a killed process never leaves a torn database.
            await ReadAsync(async sql => await sql.ExecAsync("PRAGMA journal_mode=WAL"), cancel);
        }
        await WriteAsync(async sql =>
        {
            await sql.ExecAsync("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
            if (Dialect == SqlDialect.Postgres)
                await sql.ExecAsync("LOCK TABLE schema_version IN EXCLUSIVE MODE"); // two servers starting at once
            long version = await sql.ScalarAsync<long?>("SELECT MAX(version) FROM schema_version") ?? 0;
            for (int step = (int)version; step < Migrations.Steps.Count; step++)
            {
                foreach (var statement in Migrations.Steps[step](Dialect))
                    await sql.ExecAsync(statement);
                await sql.ExecAsync("INSERT INTO schema_version (version) VALUES (@v)", ("v", step + 1L));
            }
            return 0;
        }, cancel);
    }

    /// <summary>Closes pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        else if (_sqliteConnectionString is not null)
            SqliteConnection.ClearAllPools();
    }
}
