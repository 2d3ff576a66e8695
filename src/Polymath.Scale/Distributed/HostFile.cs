using System.Globalization;

namespace Polymath.Scale.Distributed;

/// <summary>
/// An Open MPI host file, read before <c>mpirun</c> starts so that a bad one fails with the file and line instead of
/// with mpirun's own error after the job was set up. Format (Open MPI's): one host per line, optionally followed by
/// <c>slots=N</c> and <c>max_slots=N</c> (or <c>max-slots=N</c>); <c>#</c> starts a comment; blank lines are skipped;
/// a host named on several lines adds up its slots.
/// </summary>
public sealed class HostFile
{
    /// <summary>One host line.</summary>
    /// <param name="Host">The host name or address.</param>
    /// <param name="Slots">Its <c>slots=N</c>, or null when not given (Open MPI then decides, at least 1).</param>
    /// <param name="Line">The 1-based line number.</param>
    public sealed record Entry(string Host, int? Slots, int Line);

    private HostFile(string path, IReadOnlyList<Entry> entries) => (Path, Entries) = (path, entries);

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The host lines, in file order.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The sum of the explicit slots, or null when a line gives none (Open MPI then counts the host's cores).</summary>
    public int? TotalSlots => Entries.All(e => e.Slots is not null) ? Entries.Sum(e => e.Slots!.Value) : null;

    /// <summary>Reads and checks a host file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed or the file names no host; the message is <c>FILE:LINE: problem</c>.</exception>
    public static HostFile Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"host file '{path}' does not exist.", path);
        var entries = new List<Entry>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            int hash = raw.IndexOf('#');
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
                continue;
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string host = tokens[0];
            string Where() => $"{path}:{lineNo}";
            if (host.Contains('='))
                throw new InvalidDataException($"{Where()}: '{raw.Trim()}' does not start with a host name (expected 'HOST [slots=N] [max_slots=N]').");
            int? slots = null, maxSlots = null;
            foreach (var tok in tokens.Skip(1))
            {
                int eq = tok.IndexOf('=');
                string key = eq > 0 ? tok[..eq].ToLowerInvariant() : tok;
                string value = eq > 0 ? tok[(eq + 1)..] : "";
                if (key is not ("slots" or "max_slots" or "max-slots"))
                    throw new InvalidDataException($"{Where()}: unknown token '{tok}' after host '{host}' (expected slots=N or max_slots=N).");
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                    throw new InvalidDataException($"{Where()}: '{tok}' is not {key}=N with a whole number N >= 1.");
                if (key == "slots")
                    slots = n;
                else
                    maxSlots = n;
            }
            if (slots is int s && maxSlots is int m && m < s)
                throw new InvalidDataException($"{Where()}: slots={s} exceeds max_slots={m}.");
            entries.Add(new Entry(host, slots, lineNo));
        }
        if (entries.Count == 0)
            throw new InvalidDataException($"{path}: names no host (one 'HOST [slots=N]' per line expected).");
        return new HostFile(path, entries);
    }

    /// <summary>Reads the file and checks that its slots can hold <paramref name="nproc"/> ranks (mpirun is started without oversubscription on listed hosts).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A malformed line, or fewer slots than ranks (naming the lines).</exception>
    public static HostFile Check(string path, int nproc)
    {
        var file = Read(path);
        if (file.TotalSlots is int total && total < nproc)
            throw new InvalidDataException(
                $"{path}: {total} slot(s) in all (" + string.Join(", ", file.Entries.Select(e => $"line {e.Line}: {e.Host} slots={e.Slots}")) +
                $") but {nproc} ranks were requested; add slots or hosts, or start fewer ranks.");
        return file;
    }
}
