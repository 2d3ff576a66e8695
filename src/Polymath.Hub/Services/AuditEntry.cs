using System.Text.Json;

namespace Polymath.Hub.Services;

/// <summary>One audit log entry as the API returns it.</summary>
internal sealed record AuditEntry(long Id, string Time, string Actor, string Action, string? Repo, JsonElement Detail);
