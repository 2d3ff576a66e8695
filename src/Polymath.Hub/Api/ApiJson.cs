using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Polymath.Hub.Api;

/// <summary>Reading request bodies as JSON with a size limit and errors that say what and where.</summary>
internal static class ApiJson
{
    /// <summary>Default limit of a JSON request body.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    /// <summary>camelCase names, unknown members refused (so a misspelt field is an error, not silently ignored).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>The body as <typeparamref name="T"/>.</summary>
    /// <exception cref="HubException">413 when larger than <paramref name="maxBytes"/>; 400 when not valid JSON of the expected shape.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes = DefaultMaxBytes) where T : class
    {
        if (request.ContentLength > maxBytes)
            throw HubException.TooLarge($"the JSON body is {request.ContentLength} bytes; the limit is {maxBytes}.");
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + n > maxBytes)
                throw HubException.TooLarge($"the JSON body is larger than the limit of {maxBytes} bytes.");
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length == 0)
            throw HubException.BadRequest("the request needs a JSON body.");
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options)
                ?? throw HubException.BadRequest("the JSON body is null; an object is expected.");
        }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            string line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw HubException.BadRequest($"invalid JSON{where}{line}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". Path:", StringComparison.Ordinal);
        return i > 0 ? message[..(i + 1)] : message;
    }
}
