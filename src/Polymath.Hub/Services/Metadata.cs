using System.Text.Json;
using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>Stores a repository's card and structured metadata; each change is audited.</summary>
internal static class Metadata
{
    /// <summary>The stored metadata, or null.</summary>
    public static async Task<DatasetMetadata?> GetAsync(Sql sql, RepoRecord repo)
    {
        string? json = await sql.ScalarAsync<string>("SELECT metadata FROM repo_metadata WHERE repo_id = @r", ("r", repo.Id));
        return json is null ? null : JsonSerializer.Deserialize<DatasetMetadata>(json, ApiJson.Options);
    }

    /// <summary>Replaces the metadata (already validated).</summary>
    public static async Task SetAsync(Sql sql, Caller caller, RepoRecord repo, DatasetMetadata meta)
    {
        string json = JsonSerializer.Serialize(meta, ApiJson.Options);
        await Ensure(sql, repo);
        await sql.ExecAsync("UPDATE repo_metadata SET metadata = @m, updated = @t WHERE repo_id = @r", ("m", json), ("t", Clock.Now()), ("r", repo.Id));
        await Audit.AppendAsync(sql, caller, "metadata", repo.FullName, new { title = meta.Title, license = meta.License });
    }

    /// <summary>The stored card, or null.</summary>
    public static Task<string?> GetCardAsync(Sql sql, RepoRecord repo) =>
        sql.ScalarAsync<string>("SELECT card FROM repo_metadata WHERE repo_id = @r", ("r", repo.Id));

    /// <summary>Replaces the card.</summary>
    public static async Task SetCardAsync(Sql sql, Caller caller, RepoRecord repo, string card)
    {
        await Ensure(sql, repo);
        await sql.ExecAsync("UPDATE repo_metadata SET card = @c, updated = @t WHERE repo_id = @r", ("c", card), ("t", Clock.Now()), ("r", repo.Id));
        await Audit.AppendAsync(sql, caller, "card", repo.FullName, new { bytes = System.Text.Encoding.UTF8.GetByteCount(card) });
    }

    private static Task Ensure(Sql sql, RepoRecord repo) =>
        sql.ExecAsync("INSERT INTO repo_metadata (repo_id, metadata, card, updated) VALUES (@r, NULL, NULL, @t) ON CONFLICT DO NOTHING", ("r", repo.Id), ("t", Clock.Now()));
}
