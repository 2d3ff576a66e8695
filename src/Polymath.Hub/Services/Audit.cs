using System.Text.Json;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>
/// The append-only audit log: one row per write or permission change, written in the same transaction as the change
/// (so a change and its record stand or fall together). The table refuses UPDATE and DELETE by trigger.
/// </summary>
internal static class Audit
{
    /// <summary>Records that <paramref name="caller"/> did <paramref name="action"/> (e.g. "commit", "grant").</summary>
    public static Task AppendAsync(Sql sql, Caller caller, string action, string? repo, object detail) =>
        sql.ExecAsync("INSERT INTO audit (time, actor, action, repo, detail) VALUES (@t, @a, @x, @r, @d)",
            ("t", Clock.Now()), ("a", caller.UserName ?? "(anonymous)"), ("x", action), ("r", repo),
            ("d", JsonSerializer.Serialize(detail, JsonSerializerOptions.Web)));

    /// <summary>Entries, newest first, optionally of one repository.</summary>
    public static Task<List<AuditEntry>> ListAsync(Sql sql, string? repo, int limit) =>
        repo is null
            ? sql.QueryAsync("SELECT id, time, actor, action, repo, detail FROM audit ORDER BY id DESC LIMIT @n", Read, ("n", (long)limit))
            : sql.QueryAsync("SELECT id, time, actor, action, repo, detail FROM audit WHERE repo = @r ORDER BY id DESC LIMIT @n", Read, ("r", repo), ("n", (long)limit));

    private static AuditEntry Read(Row r) =>
        new(r.Long(0), r.Text(1), r.Text(2), r.Text(3), r.TextOrNull(4), JsonSerializer.Deserialize<JsonElement>(r.Text(5)));
}
