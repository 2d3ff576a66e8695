using System.Text.Json.Nodes;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Dataset cards, validated metadata and their Croissant JSON-LD export.</summary>
public abstract class MetadataTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task Metadata_and_card_round_trip_and_export_as_croissant_with_a_sha256_per_file()
    {
        await Admin.CreateRepoAsync("ising", description: "2D Ising Monte Carlo samples");
        string commit = await CommitTextAsync(Admin, "admin", "ising", "main", ("data/train.csv", "id,t,m\n1,2.0,0.9\n"), ("data/test.csv", "id,t,m\n2,2.5,0.1\n"));
        await Admin.SetMetadataAsync("admin", "ising", new
        {
            title = "2D Ising configurations",
            description = "Spin configurations sampled with Metropolis updates on a 32x32 lattice.",
            creators = new object[] { new { name = "Ada Lovelace", affiliation = "Analytical Engines", orcid = "0000-0002-1825-0097" }, new { name = "Polymath Lab", type = "Organization" } },
            license = "cc-by-4.0",
            keywords = new[] { "ising", "monte carlo" },
            domain = "statistical physics",
            version = "1.0.0",
            citation = "Lovelace, A. (2026). 2D Ising configurations.",
            doi = "10.5281/zenodo.1234567",
        });
        await Admin.SetCardAsync("admin", "ising", "# 2D Ising\n\nSamples at 16 temperatures.\n");

        var meta = await Admin.GetMetadataAsync("admin", "ising");
        Assert.Equal("CC-BY-4.0", meta["license"]!.GetValue<string>()); // stored in the canonical SPDX spelling
        Assert.Equal("# 2D Ising\n\nSamples at 16 temperatures.\n", await Admin.GetCardAsync("admin", "ising"));

        var doc = await Admin.CroissantAsync("admin", "ising");
        Assert.Equal("http://mlcommons.org/croissant/1.0", doc["conformsTo"]!.GetValue<string>());
        Assert.Equal("sc:Dataset", doc["@type"]!.GetValue<string>());
        Assert.Equal("https://schema.org/", doc["@context"]!["@vocab"]!.GetValue<string>());
        Assert.Equal("2D Ising configurations", doc["name"]!.GetValue<string>());
        Assert.Equal("https://spdx.org/licenses/CC-BY-4.0.html", doc["license"]!.GetValue<string>());
        Assert.EndsWith("/admin/ising", doc["url"]!.GetValue<string>());
        Assert.Equal("https://doi.org/10.5281/zenodo.1234567", doc["identifier"]!.GetValue<string>());
        Assert.Equal(2, doc["creator"]!.AsArray().Count);
        Assert.Equal("sc:Organization", doc["creator"]![1]!["@type"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", doc["datePublished"]!.GetValue<string>());
        var files = doc["distribution"]!.AsArray();
        var tree = await Admin.TreeAsync("admin", "ising", commit);
        Assert.Equal(tree.Files.Select(f => f.Sha256), files.Select(f => f!["sha256"]!.GetValue<string>()));
        Assert.All(files, f => Assert.Equal("cr:FileObject", f!["@type"]!.GetValue<string>()));
        Assert.All(files, f => Assert.Equal("text/csv", f!["encodingFormat"]!.GetValue<string>()));

        // The contentUrl of each file really serves that file.
        using var http = new HttpClient();
        string url = files[0]!["contentUrl"]!.GetValue<string>();
        Assert.Equal("id,t,m\n2,2.5,0.1\n", await http.GetStringAsync(url));
    }

    [BackendFact]
    public async Task Every_write_and_permission_change_is_in_the_audit_log_which_cannot_be_altered()
    {
        await Admin.CreateRepoAsync("audited", isPrivate: true);
        await Admin.CreateUserAsync("bob");
        await Admin.GrantAsync("admin", "audited", "bob", null, "reader");
        await CommitTextAsync(Admin, "admin", "audited", "main", ("a", "1"));
        await Admin.TagAsync("admin", "audited", "v1");
        await Admin.RevokeAsync("admin", "audited", "bob", null);

        var (_, body) = await SendAsync(AdminToken, HttpMethod.Get, "/api/repos/admin/audited/audit");
        var actions = JsonNode.Parse(body)!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Reverse().ToList();
        Assert.Equal(["repo.create", "grant", "upload.complete", "commit", "tag", "revoke"], actions);

        if (Backend.Kind == "sqlite")
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Backend.DataDir, "hub.db")}");
            await c.OpenAsync();
            var cmd = c.CreateCommand();
            cmd.CommandText = "DELETE FROM audit";
            var e = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", e.Message);
        }
        else
        {
            await using var c = new Npgsql.NpgsqlConnection(Backend.Connection);
            await c.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("UPDATE audit SET actor = 'mallory'", c);
            var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", e.MessageText);
        }
    }
}

/// <summary>Metadata on SQLite.</summary>
public sealed class MetadataSqliteTests() : MetadataTests("sqlite");

/// <summary>Metadata on PostgreSQL.</summary>
public sealed class MetadataPostgresTests() : MetadataTests("postgresql"), IPostgresBackend;
