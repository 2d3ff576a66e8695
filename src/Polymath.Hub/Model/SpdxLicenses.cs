namespace Polymath.Hub.Model;

/// <summary>
/// SPDX licence identifiers accepted in metadata: those used for data, models and code in research. Identifiers are
/// matched case-insensitively and stored in their canonical spelling; "LicenseRef-…" names a licence not on the SPDX list.
/// </summary>
internal static class SpdxLicenses
{
    private static readonly string[] Ids =
    [
        "0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-2.0", "Artistic-2.0", "BSD-2-Clause", "BSD-3-Clause",
        "BSD-3-Clause-Clear", "BSL-1.0", "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-NC-2.0", "CC-BY-NC-3.0",
        "CC-BY-NC-4.0", "CC-BY-NC-ND-3.0", "CC-BY-NC-ND-4.0", "CC-BY-NC-SA-2.0", "CC-BY-NC-SA-3.0", "CC-BY-NC-SA-4.0",
        "CC-BY-ND-3.0", "CC-BY-ND-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC-PDDC", "CC0-1.0", "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "ECL-2.0", "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "GFDL-1.3-only",
        "GFDL-1.3-or-later", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "ISC", "LGPL-2.1-only",
        "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "LPPL-1.3c", "MIT", "MIT-0", "MPL-2.0", "MS-PL", "NCSA",
        "ODbL-1.0", "ODC-By-1.0", "OFL-1.1", "OpenRAIL-M", "OSL-3.0", "PDDL-1.0", "PostgreSQL", "Unlicense", "UPL-1.0",
        "WTFPL", "Zlib", "etalab-2.0", "OGL-UK-3.0", "DL-DE-BY-2.0", "NLOD-2.0", "CERN-OHL-P-2.0", "CERN-OHL-S-2.0",
    ];

    private static readonly Dictionary<string, string> ByLower = Ids.ToDictionary(i => i.ToLowerInvariant(), i => i);

    /// <summary>The canonical spelling of an SPDX id, or null when it is not one.</summary>
    public static string? Canonical(string id)
    {
        if (ByLower.TryGetValue(id.ToLowerInvariant(), out var canonical))
            return canonical;
        if (id.StartsWith("LicenseRef-", StringComparison.Ordinal) && id.Length > 11 && id[11..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            return id;
        return null;
    }

    /// <summary>The SPDX page of a licence (used as the Croissant "license" URL).</summary>
    public static string Url(string id) => id.StartsWith("LicenseRef-", StringComparison.Ordinal) ? id : $"https://spdx.org/licenses/{id}.html";
}
