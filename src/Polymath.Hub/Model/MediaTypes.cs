namespace Polymath.Hub.Model;

/// <summary>Media types of the file kinds research data comes in, by extension.</summary>
internal static class MediaTypes
{
    /// <summary>The media type for a path; application/octet-stream when the extension is not known.</summary>
    public static string Of(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "text/csv",
        ".tsv" => "text/tab-separated-values",
        ".json" => "application/json",
        ".jsonl" => "application/jsonlines",
        ".txt" => "text/plain",
        ".md" => "text/markdown",
        ".parquet" => "application/x-parquet",
        ".safetensors" => "application/octet-stream",
        ".npy" => "application/octet-stream",
        ".gz" => "application/gzip",
        ".zip" => "application/zip",
        ".tar" => "application/x-tar",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".svg" => "image/svg+xml",
        ".html" => "text/html",
        ".qasm" => "text/plain",
        _ => "application/octet-stream",
    };
}
