namespace Polymath.Hub.Services;

/// <summary>A branch or tag and the commit it names.</summary>
internal sealed record RefInfo(string Kind, string Name, string Commit, string Updated);
