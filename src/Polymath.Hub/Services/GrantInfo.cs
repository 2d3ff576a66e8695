namespace Polymath.Hub.Services;

/// <summary>A role granted in a repository: to a "user" or a "team" (named org/team).</summary>
internal sealed record GrantInfo(string Kind, string Principal, string Role);
