using System.Text.Json.Nodes;

namespace Polymath.Hub.Client;

public sealed partial class HubClient
{
    /// <summary>Labels a file (or one record of it) of a version; <paramref name="labelSet"/> restricts the value to that set's labels.</summary>
    public Task<HubAnnotation> AnnotateAsync(string owner, string name, string? rev, string path, string key, string value,
        string? record = null, string? labelSet = null, CancellationToken cancel = default) =>
        SendAsync<HubAnnotation>(HttpMethod.Post, RepoUrl(owner, name) + "/annotations", new { rev, path, record, key, value, labelSet }, cancel);

    /// <summary>Annotations of a repository, filtered by version, path, key or label set.</summary>
    public Task<List<HubAnnotation>> AnnotationsAsync(string owner, string name, string? rev = null, string? path = null, string? labelSet = null, CancellationToken cancel = default) =>
        GetAsync<List<HubAnnotation>>(RepoUrl(owner, name) + "/annotations?" + string.Join('&', new[] {
            rev is null ? null : "rev=" + Uri.EscapeDataString(rev), path is null ? null : "path=" + Uri.EscapeDataString(path),
            labelSet is null ? null : "labelSet=" + Uri.EscapeDataString(labelSet) }.Where(s => s is not null)), cancel);

    /// <summary>Defines the labels annotators may choose from in a labelling task.</summary>
    public Task SetLabelSetAsync(string owner, string name, string labelSet, IEnumerable<string> labels, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, RepoUrl(owner, name) + "/labelsets/" + Uri.EscapeDataString(labelSet), new { labels = labels.ToList() }, cancel);

    /// <summary>Files of a version the signed-in user has not labelled yet in a label set.</summary>
    public Task<JsonObject> LabelTodoAsync(string owner, string name, string labelSet, string? rev = null, string path = "", CancellationToken cancel = default) =>
        GetAsync<JsonObject>(RepoUrl(owner, name) + "/labelsets/" + Uri.EscapeDataString(labelSet) + "/todo?path=" + Uri.EscapeDataString(path) + Rev(rev), cancel);

    /// <summary>Agreement between annotators on a label set: Fleiss' kappa and pairwise Cohen's kappa.</summary>
    public Task<JsonObject> AgreementAsync(string owner, string name, string labelSet, string? rev = null, CancellationToken cancel = default) =>
        GetAsync<JsonObject>(RepoUrl(owner, name) + "/labelsets/" + Uri.EscapeDataString(labelSet) + "/agreement" + (rev is null ? "" : "?rev=" + Uri.EscapeDataString(rev)), cancel);
}

/// <summary>A label on a file or a record of a version.</summary>
/// <param name="Id">Annotation id.</param>
/// <param name="Commit">The version it applies to.</param>
/// <param name="Path">The file.</param>
/// <param name="Record">The record inside the file (e.g. a CSV key), or null for the whole file.</param>
/// <param name="Key">What is labelled (e.g. "phase").</param>
/// <param name="Value">The label.</param>
/// <param name="LabelSet">The label set it was chosen from, if any.</param>
/// <param name="Author">Who labelled.</param>
/// <param name="Time">When (UTC).</param>
public sealed record HubAnnotation(long Id, string Commit, string Path, string? Record, string Key, string Value, string? LabelSet, string Author, string Time);
