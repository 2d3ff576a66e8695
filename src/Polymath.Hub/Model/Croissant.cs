using System.Text.Json.Nodes;
using Polymath.Hub.Services;

namespace Polymath.Hub.Model;

/// <summary>
/// Exports a dataset version as Croissant 1.0 JSON-LD (MLCommons): schema.org Dataset properties from the metadata and
/// one <c>cr:FileObject</c> per file with its download URL and SHA-256.
/// </summary>
internal static class Croissant
{
    /// <summary>The JSON-LD document for one version.</summary>
    public static JsonObject Export(RepoRecord repo, CommitInfo commit, DatasetMetadata? meta, IReadOnlyList<FileEntry> files, string baseUrl)
    {
        string repoUrl = $"{baseUrl.TrimEnd('/')}/{repo.Owner}/{repo.Name}";
        var creators = new JsonArray();
        foreach (var c in meta?.Creators ?? [])
        {
            var o = new JsonObject { ["@type"] = c.Type == "Organization" ? "sc:Organization" : "sc:Person", ["name"] = c.Name };
            if (c.Affiliation is not null) o["affiliation"] = c.Affiliation;
            if (c.Orcid is not null) o["identifier"] = $"https://orcid.org/{c.Orcid}";
            creators.Add(o);
        }
        var distribution = new JsonArray();
        foreach (var f in files)
        {
            distribution.Add(new JsonObject
            {
                ["@type"] = "cr:FileObject",
                ["@id"] = f.Path,
                ["name"] = f.Path,
                ["contentUrl"] = $"{baseUrl.TrimEnd('/')}/api/repos/{repo.Owner}/{repo.Name}/files/{Uri.EscapeDataString(f.Path).Replace("%2F", "/")}?rev={commit.Id}",
                ["contentSize"] = $"{f.Size} B",
                ["encodingFormat"] = MediaTypes.Of(f.Path),
                ["sha256"] = f.Sha256,
            });
        }
        var doc = new JsonObject
        {
            ["@context"] = Context(),
            ["@type"] = "sc:Dataset",
            ["conformsTo"] = "http://mlcommons.org/croissant/1.0",
            ["name"] = meta?.Title ?? repo.FullName,
            ["description"] = meta?.Description ?? repo.Description,
            ["license"] = meta?.License is { } l ? SpdxLicenses.Url(l) : null,
            ["url"] = repoUrl,
            ["creator"] = creators,
            ["datePublished"] = commit.Time[..10],
            ["version"] = meta?.Version ?? commit.Id[..12],
            ["keywords"] = new JsonArray((meta?.Keywords ?? []).Select(k => (JsonNode?)k).ToArray()),
            ["distribution"] = distribution,
        };
        if (meta?.Citation is { } cite) doc["citeAs"] = cite;
        if (meta?.Doi is { } doi) doc["identifier"] = $"https://doi.org/{doi}";
        if (meta?.Domain is { } d) doc["about"] = d;
        return doc;
    }

    private static JsonObject Context() => new()
    {
        ["@language"] = "en",
        ["@vocab"] = "https://schema.org/",
        ["citeAs"] = "cr:citeAs",
        ["column"] = "cr:column",
        ["conformsTo"] = "dct:conformsTo",
        ["cr"] = "http://mlcommons.org/croissant/",
        ["rai"] = "http://mlcommons.org/croissant/RAI/",
        ["data"] = new JsonObject { ["@id"] = "cr:data", ["@type"] = "@json" },
        ["dataType"] = new JsonObject { ["@id"] = "cr:dataType", ["@type"] = "@vocab" },
        ["dct"] = "http://purl.org/dc/terms/",
        ["examples"] = new JsonObject { ["@id"] = "cr:examples", ["@type"] = "@json" },
        ["extract"] = "cr:extract",
        ["field"] = "cr:field",
        ["fileProperty"] = "cr:fileProperty",
        ["fileObject"] = "cr:fileObject",
        ["fileSet"] = "cr:fileSet",
        ["format"] = "cr:format",
        ["includes"] = "cr:includes",
        ["isLiveDataset"] = "cr:isLiveDataset",
        ["jsonPath"] = "cr:jsonPath",
        ["key"] = "cr:key",
        ["md5"] = "cr:md5",
        ["parentField"] = "cr:parentField",
        ["path"] = "cr:path",
        ["recordSet"] = "cr:recordSet",
        ["references"] = "cr:references",
        ["regex"] = "cr:regex",
        ["repeated"] = "cr:repeated",
        ["replace"] = "cr:replace",
        ["sc"] = "https://schema.org/",
        ["separator"] = "cr:separator",
        ["source"] = "cr:source",
        ["subField"] = "cr:subField",
        ["transform"] = "cr:transform",
    };
}
