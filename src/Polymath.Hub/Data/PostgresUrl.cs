using Npgsql;

namespace Polymath.Hub.Data;

/// <summary>Turns <c>postgres://user:password@host:port/database</c> into an Npgsql connection string.</summary>
internal static class PostgresUrl
{
    /// <summary>The Npgsql keyword form of a postgres:// URL.</summary>
    /// <exception cref="ArgumentException">the URL cannot be parsed.</exception>
    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new ArgumentException($"'{url}' is not a valid postgres:// URL.", nameof(url));
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
                b.Password = Uri.UnescapeDataString(parts[1]);
        }
        return b.ConnectionString;
    }
}
