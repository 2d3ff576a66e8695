using Npgsql;

namespace Polymath.Hub.Tests;

/// <summary>
/// A fresh, empty database and data folder for one test: a SQLite file, or a new schema in the PostgreSQL database named
/// by <c>POLYMATH_HUB_TEST_PG</c> (dropped afterwards). Outlives server restarts within the test.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    /// <summary>Environment variable holding the PostgreSQL connection string.</summary>
    public const string PostgresVariable = "POLYMATH_HUB_TEST_PG";

    private readonly string? _schema;

    private TestBackend(string kind, string dataDir, string? connection, string? schema)
    {
        Kind = kind;
        DataDir = dataDir;
        Connection = connection;
        _schema = schema;
    }

    /// <summary>The configured PostgreSQL connection string, or null.</summary>
    public static string? PostgresConnection => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } s ? s : null;

    /// <summary>"sqlite" or "postgresql".</summary>
    public string Kind { get; }

    /// <summary>Blob store folder (and SQLite file).</summary>
    public string DataDir { get; }

    /// <summary>Connection string for the server (null: SQLite in <see cref="DataDir"/>).</summary>
    public string? Connection { get; }

    /// <summary>Creates the backend of the given kind.</summary>
    public static async Task<TestBackend> CreateAsync(string kind)
    {
        string dir = Path.Combine(Path.GetTempPath(), "polymath-hub-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        if (kind == "sqlite")
            return new TestBackend(kind, dir, null, null);
        string baseConnection = PostgresConnection ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        string schema = "hubtest_" + Guid.NewGuid().ToString("N")[..16];
        await using (var c = new NpgsqlConnection(baseConnection))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {schema}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var b = new NpgsqlConnectionStringBuilder(baseConnection) { SearchPath = schema, MaxPoolSize = 20 };
        return new TestBackend(kind, dir, b.ConnectionString, schema);
    }

    /// <summary>Drops the schema and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_schema is not null)
        {
            await using var c = new NpgsqlConnection(PostgresConnection);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", c);
            await cmd.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }
}
