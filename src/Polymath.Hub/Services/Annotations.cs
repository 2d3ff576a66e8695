using System.Text.Json;
using Polymath.Hub.Api;
using Polymath.Hub.Auth;
using Polymath.Hub.Data;
using Polymath.Hub.Model;

namespace Polymath.Hub.Services;

/// <summary>
/// Labels on files or records of a version (key, value, author, time, the commit they apply to), label sets that fix
/// the allowed values of a labelling task, what is left to label, and agreement between annotators.
/// </summary>
internal static class Annotations
{
    /// <summary>Most labels in a label set.</summary>
    public const int MaxLabels = 1000;

    /// <summary>Defines (or replaces) a label set: the values annotators may choose from.</summary>
    public static async Task SetLabelSetAsync(Sql sql, Caller caller, RepoRecord repo, string name, IReadOnlyList<string> labels)
    {
        Names.Account(name, "label set name");
        if (labels.Count == 0 || labels.Count > MaxLabels)
            throw HubException.BadRequest($"a label set needs 1 to {MaxLabels} labels, got {labels.Count}.");
        foreach (var l in labels)
            CheckText(l, "label", 200);
        if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            throw HubException.BadRequest("a label set may not list a label twice.");
        string json = JsonSerializer.Serialize(labels);
        await sql.ExecAsync("DELETE FROM label_sets WHERE repo_id = @r AND name = @n", ("r", repo.Id), ("n", name));
        await sql.ExecAsync("INSERT INTO label_sets (repo_id, name, labels) VALUES (@r, @n, @l)", ("r", repo.Id), ("n", name), ("l", json));
        await Audit.AppendAsync(sql, caller, "labelset", repo.FullName, new { name, labels = labels.Count });
    }

    /// <summary>The label sets of a repository.</summary>
    public static async Task<Dictionary<string, List<string>>> LabelSetsAsync(Sql sql, RepoRecord repo) =>
        (await sql.QueryAsync("SELECT name, labels FROM label_sets WHERE repo_id = @r ORDER BY name", r => (r.Text(0), r.Text(1)), ("r", repo.Id)))
            .ToDictionary(x => x.Item1, x => JsonSerializer.Deserialize<List<string>>(x.Item2)!);

    /// <summary>Adds a label to a file (or a record of it, e.g. a CSV key) of one version.</summary>
    public static async Task<AnnotationInfo> AddAsync(Sql sql, Caller caller, RepoRecord repo, string? rev, string path, string? record, string key, string value, string? labelSet)
    {
        RepoPath.Check(path);
        CheckText(key, "key", 64);
        CheckText(value, "value", 10_000);
        if (record is not null)
            CheckText(record, "record", 1000);
        var commit = await Commits.ResolveAsync(sql, repo, rev);
        if (await sql.ScalarAsync<string>("SELECT path FROM commit_files WHERE commit_id = @c AND path = @p", ("c", commit.Id), ("p", path)) is null)
            throw HubException.NotFound($"'{Names.Shown(path)}' is not a file of {repo.FullName}@{commit.Id[..12]}.");
        if (labelSet is not null)
        {
            var sets = await LabelSetsAsync(sql, repo);
            if (!sets.TryGetValue(labelSet, out var labels))
                throw HubException.NotFound($"{repo.FullName} has no label set '{Names.Shown(labelSet)}'.");
            if (!labels.Contains(value))
                throw HubException.BadRequest($"'{Names.Shown(value)}' is not a label of set '{labelSet}'; valid: {string.Join(", ", labels.Take(20))}{(labels.Count > 20 ? ", …" : "")}.");
        }
        string time = Clock.Now();
        long id = await sql.ScalarAsync<long>(
            "INSERT INTO annotations (repo_id, commit_id, path, record, label_key, label_value, label_set, author, created) VALUES (@r, @c, @p, @x, @k, @v, @s, @a, @t) RETURNING id",
            ("r", repo.Id), ("c", commit.Id), ("p", path), ("x", record), ("k", key), ("v", value), ("s", labelSet), ("a", caller.UserName), ("t", time));
        await Audit.AppendAsync(sql, caller, "annotate", repo.FullName, new { id, commit = commit.Id, path, record, key, labelSet });
        return new AnnotationInfo(id, commit.Id, path, record, key, value, labelSet, caller.UserName!, time);
    }

    /// <summary>Annotations, optionally of one version, path, key or label set, oldest first.</summary>
    public static async Task<List<AnnotationInfo>> ListAsync(Sql sql, RepoRecord repo, string? commitId, string? path, string? key, string? labelSet)
    {
        var all = await sql.QueryAsync(
            "SELECT id, commit_id, path, record, label_key, label_value, label_set, author, created FROM annotations WHERE repo_id = @r ORDER BY id",
            r => new AnnotationInfo(r.Long(0), r.Text(1), r.Text(2), r.TextOrNull(3), r.Text(4), r.Text(5), r.TextOrNull(6), r.Text(7), r.Text(8)), ("r", repo.Id));
        return all.Where(a => (commitId is null || a.Commit == commitId) && (path is null || a.Path == path || RepoPath.IsUnder(a.Path, path))
            && (key is null || a.Key == key) && (labelSet is null || a.LabelSet == labelSet)).ToList();
    }

    /// <summary>
    /// Agreement on one label set: each annotator's latest label per item (file, or file#record), Fleiss' kappa over all
    /// annotators, and Cohen's kappa and raw agreement for every pair.
    /// </summary>
    public static AgreementReport Agreement(IReadOnlyList<AnnotationInfo> annotations)
    {
        var latest = new Dictionary<(string Item, string Author), string>();
        foreach (var a in annotations)
            latest[(a.Record is null ? a.Path : $"{a.Path}#{a.Record}", a.Author)] = a.Value;
        var items = latest.GroupBy(kv => kv.Key.Item).ToList();
        var authors = latest.Keys.Select(k => k.Author).Distinct().Order(StringComparer.Ordinal).ToList();
        var counts = items.Select(g => (IReadOnlyDictionary<string, int>)g.GroupBy(kv => kv.Value).ToDictionary(v => v.Key, v => v.Count())).ToList();
        var pairs = new List<PairAgreement>();
        for (int i = 0; i < authors.Count; i++)
            for (int j = i + 1; j < authors.Count; j++)
            {
                var both = items.Where(g => latest.ContainsKey((g.Key, authors[i])) && latest.ContainsKey((g.Key, authors[j])))
                    .Select(g => (latest[(g.Key, authors[i])], latest[(g.Key, authors[j])])).ToList();
                double raw = both.Count == 0 ? double.NaN : both.Count(p => p.Item1 == p.Item2) / (double)both.Count;
                pairs.Add(new PairAgreement(authors[i], authors[j], both.Count, Finite(raw), Finite(Model.Agreement.CohensKappa(both))));
            }
        var perAuthor = authors.ToDictionary(a => a, a => latest.Keys.Count(k => k.Author == a));
        return new AgreementReport(items.Count, authors, perAuthor, Finite(Model.Agreement.FleissKappa(counts)), pairs);
    }

    private static double? Finite(double x) => double.IsFinite(x) ? Math.Round(x, 6) : null;

    private static void CheckText(string? s, string what, int max)
    {
        if (string.IsNullOrEmpty(s) || s.Length > max || !RepoPath.IsWellFormedUtf16(s) || s.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
            throw HubException.BadRequest($"annotation {what} must be 1 to {max} characters of valid text without control characters.");
    }
}
