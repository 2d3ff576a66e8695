using System.Text;
using System.Text.Json.Nodes;

namespace Polymath.Training;

/// <summary>
/// A JSON Lines run log: one JSON object per line, each with <c>event</c> (<c>start</c>, <c>step</c>, <c>epoch</c>,
/// <c>checkpoint</c>, <c>stop</c>, <c>end</c>) and <c>time</c> (UTC, ISO 8601). Lines are appended and flushed one by
/// one, so the log is readable while training runs and a resumed run continues the same file.
/// </summary>
public sealed class RunLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens (appending to) <paramref name="path"/>, creating its folder.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public RunLog(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Appends one line: <c>{"event": name, "time": …, …fields}</c>. Doubles that are not finite are written as strings.</summary>
    public void Write(string name, IReadOnlyDictionary<string, object?> fields)
    {
        var o = new JsonObject { ["event"] = name, ["time"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (k, v) in fields)
            o[k] = v switch
            {
                null => null,
                double d => Json.Num(d),
                float f => Json.Num(f),
                int i => i,
                long l => l,
                bool b => b,
                string s => s,
                IEnumerable<double> ds => Json.Array(ds),
                JsonNode n => n,
                _ => v.ToString(),
            };
        lock (_writer)
        {
            _writer.Write(o.ToJsonString());
            _writer.Write('\n');
            _writer.Flush();
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
