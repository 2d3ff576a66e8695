namespace Polymath.Hub.Model;

/// <summary>Structured metadata of a dataset or model repository, validated on write by <see cref="MetadataValidator"/>.</summary>
internal sealed record DatasetMetadata
{
    /// <summary>Human title (required, at most 200 characters).</summary>
    public string? Title { get; init; }

    /// <summary>What the data is, how it was made (required, at most 10,000 characters).</summary>
    public string? Description { get; init; }

    /// <summary>People or organisations who made it (at least one).</summary>
    public List<Creator>? Creators { get; init; }

    /// <summary>SPDX licence identifier, e.g. "CC-BY-4.0", "MIT", or "LicenseRef-…" for a licence outside the list.</summary>
    public string? License { get; init; }

    /// <summary>Search keywords (at most 50, each at most 64 characters).</summary>
    public List<string>? Keywords { get; init; }

    /// <summary>Field of research, e.g. "condensed-matter physics".</summary>
    public string? Domain { get; init; }

    /// <summary>Version of the data set as its makers number it, e.g. "1.2.0".</summary>
    public string? Version { get; init; }

    /// <summary>How to cite it (free text or BibTeX).</summary>
    public string? Citation { get; init; }

    /// <summary>DOI if one was minted, e.g. "10.5281/zenodo.1234567".</summary>
    public string? Doi { get; init; }
}

/// <summary>A creator of a dataset: a name, and optionally an affiliation, an ORCID iD and whether it is an organisation.</summary>
internal sealed record Creator
{
    /// <summary>Full name (required).</summary>
    public string? Name { get; init; }

    /// <summary>Institution.</summary>
    public string? Affiliation { get; init; }

    /// <summary>ORCID iD, 0000-0000-0000-000X.</summary>
    public string? Orcid { get; init; }

    /// <summary>"Person" (default) or "Organization".</summary>
    public string? Type { get; init; }
}
