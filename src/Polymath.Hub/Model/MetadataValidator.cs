using System.Text.RegularExpressions;
using Polymath.Hub.Api;

namespace Polymath.Hub.Model;

/// <summary>Checks dataset metadata before it is stored; every problem is named with its field.</summary>
internal static partial class MetadataValidator
{
    /// <summary>Largest metadata document, in bytes of JSON.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Largest dataset card, in bytes of UTF-8 Markdown.</summary>
    public const int MaxCardBytes = 1024 * 1024;

    /// <summary>The metadata with licence ids in canonical spelling.</summary>
    /// <exception cref="HubException">400 listing every field that is missing or invalid.</exception>
    public static DatasetMetadata Validate(DatasetMetadata m)
    {
        var errors = new List<string>();
        Text(errors, "title", m.Title, 200, required: true);
        Text(errors, "description", m.Description, 10_000, required: true);
        if (m.Creators is not { Count: > 0 })
            errors.Add("creators: at least one creator is required.");
        else
        {
            if (m.Creators.Count > 200)
                errors.Add("creators: at most 200.");
            for (int i = 0; i < m.Creators.Count && i < 200; i++)
            {
                var c = m.Creators[i];
                Text(errors, $"creators[{i}].name", c.Name, 200, required: true);
                Text(errors, $"creators[{i}].affiliation", c.Affiliation, 300, required: false);
                if (c.Orcid is not null && !OrcidPattern().IsMatch(c.Orcid))
                    errors.Add($"creators[{i}].orcid: '{Names.Shown(c.Orcid)}' is not an ORCID iD (0000-0000-0000-000X).");
                if (c.Type is not (null or "Person" or "Organization"))
                    errors.Add($"creators[{i}].type: '{Names.Shown(c.Type)}' must be Person or Organization.");
            }
        }
        string? license = null;
        if (string.IsNullOrEmpty(m.License))
            errors.Add("license: an SPDX licence id is required (e.g. CC-BY-4.0, MIT, CC0-1.0).");
        else if ((license = SpdxLicenses.Canonical(m.License)) is null)
            errors.Add($"license: '{Names.Shown(m.License)}' is not a known SPDX licence id; use e.g. CC-BY-4.0, or LicenseRef-NAME for another licence.");
        if (m.Keywords is not null)
        {
            if (m.Keywords.Count > 50)
                errors.Add("keywords: at most 50.");
            for (int i = 0; i < m.Keywords.Count && i < 50; i++)
                Text(errors, $"keywords[{i}]", m.Keywords[i], 64, required: true);
        }
        Text(errors, "domain", m.Domain, 200, required: false);
        Text(errors, "version", m.Version, 64, required: false);
        Text(errors, "citation", m.Citation, 10_000, required: false);
        if (m.Doi is not null && !DoiPattern().IsMatch(m.Doi))
            errors.Add($"doi: '{Names.Shown(m.Doi)}' is not a DOI (10.NNNN/suffix, without https://doi.org/).");
        if (errors.Count > 0)
            throw HubException.BadRequest("invalid metadata: " + string.Join(" ", errors));
        return m with { License = license };
    }

    private static void Text(List<string> errors, string field, string? value, int max, bool required)
    {
        if (value is null || value.Trim().Length == 0)
        {
            if (required)
                errors.Add($"{field}: required.");
            return;
        }
        if (value.Length > max)
            errors.Add($"{field}: longer than {max} characters.");
        else if (!RepoPath.IsWellFormedUtf16(value) || value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            errors.Add($"{field}: contains control characters or invalid Unicode.");
    }

    [GeneratedRegex(@"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")]
    private static partial Regex OrcidPattern();

    [GeneratedRegex(@"^10\.\d{4,9}/[^\s]{1,200}$")]
    private static partial Regex DoiPattern();
}
