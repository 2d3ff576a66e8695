using System.Globalization;

namespace Polymath.Cli;

/// <summary>A small option reader: --name value, --name=value, flags; everything else is an error.</summary>
internal sealed class Args
{
    private readonly List<string> _rest;
    private readonly string _command;

    public Args(string command, IEnumerable<string> args)
    {
        _command = command;
        _rest = [.. args];
    }

    public bool Flag(params string[] names)
    {
        bool found = false;
        for (int i = _rest.Count - 1; i >= 0; i--)
        {
            if (names.Contains(_rest[i]))
            {
                _rest.RemoveAt(i);
                found = true;
            }
            else if (names.Any(n => _rest[i].StartsWith(n + "=", StringComparison.Ordinal)))
            {
                throw new UsageException($"option '{_rest[i].Split('=')[0]}' takes no value.", _command);
            }
        }
        return found;
    }

    /// <summary>Every value of a repeatable option.</summary>
    public List<string> Values(string name)
    {
        var values = new List<string>();
        for (int i = 0; i < _rest.Count;)
        {
            if (_rest[i] == name)
            {
                if (i + 1 >= _rest.Count || (_rest[i + 1].StartsWith("--", StringComparison.Ordinal) && _rest[i + 1].Length > 2))
                    throw new UsageException($"option '{name}' needs a value.", _command);
                values.Add(_rest[i + 1]);
                _rest.RemoveRange(i, 2);
            }
            else if (_rest[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                values.Add(_rest[i][(name.Length + 1)..]);
                _rest.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
        return values;
    }

    /// <summary>Takes the arguments that are not options out of what remains (call after reading every option).</summary>
    public List<string> TakePositionals()
    {
        var p = _rest.Where(a => !a.StartsWith('-') || a == "-").ToList();
        _rest.RemoveAll(a => !a.StartsWith('-') || a == "-");
        return p;
    }

    public string? Value(string name)
    {
        var v = Values(name);
        if (v.Count > 1)
            throw new UsageException($"option '{name}' was given {v.Count} times.", _command);
        return v.Count == 1 ? v[0] : null;
    }

    public int? Int(string name, int min, int max)
    {
        string? s = Value(name);
        if (s is null)
            return null;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new UsageException($"option '{name}' expects an integer from {min} to {max}, got '{s}'.", _command);
        return v;
    }

    public double? Double(string name, double min, double max)
    {
        string? s = Value(name);
        if (s is null)
            return null;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= min && v <= max))
            throw new UsageException($"option '{name}' expects a number from {min} to {max}, got '{s}'.", _command);
        return v;
    }

    /// <summary>Fails on anything left over; an unknown option's message lists <paramref name="validOptions"/>.</summary>
    public void End(IReadOnlyCollection<string> validOptions)
    {
        if (_rest.Count > 0 && _rest[0].StartsWith('-'))
            throw new UsageException($"unknown option '{_rest[0]}' for '{_command}'; valid options: {string.Join(", ", validOptions)}.", _command);
        End();
    }

    /// <summary>Fails on anything left over.</summary>
    public void End()
    {
        if (_rest.Count == 0)
            return;
        string first = _rest[0];
        throw first.StartsWith('-')
            ? new UsageException($"unknown option '{first}' for '{_command}'.", _command)
            : new UsageException($"unexpected argument '{first}' for '{_command}'.", _command);
    }
}
