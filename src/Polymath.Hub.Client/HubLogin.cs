using System.Text.Json;

namespace Polymath.Hub.Client;

/// <summary>
/// The hub address and token that <c>polymath hub login</c> saved, in <c>~/.config/polymath/hub.json</c> (or
/// $POLYMATH_HUB_CONFIG), readable by its owner only. $POLYMATH_HUB_URL and $POLYMATH_HUB_TOKEN override it.
/// </summary>
/// <param name="Url">The hub's base URL.</param>
/// <param name="Token">The API token, or null for anonymous access.</param>
public sealed record HubLogin(string Url, string? Token)
{
    /// <summary>Where the login is kept.</summary>
    public static string DefaultPath()
    {
        string? explicitPath = Environment.GetEnvironmentVariable("POLYMATH_HUB_CONFIG");
        if (!string.IsNullOrEmpty(explicitPath))
            return explicitPath;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(baseDir, "polymath", "hub.json");
    }

    /// <summary>The saved login with environment overrides applied, or null when there is neither.</summary>
    /// <exception cref="InvalidDataException">the file exists but is not a valid login.</exception>
    public static HubLogin? Load(string? path = null)
    {
        path ??= DefaultPath();
        HubLogin? saved = null;
        if (File.Exists(path))
        {
            try
            {
                saved = JsonSerializer.Deserialize<HubLogin>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: not a valid hub login ({e.Message}); run 'polymath hub login' again.");
            }
        }
        string? url = Environment.GetEnvironmentVariable("POLYMATH_HUB_URL") is { Length: > 0 } u ? u : saved?.Url;
        string? token = Environment.GetEnvironmentVariable("POLYMATH_HUB_TOKEN") is { Length: > 0 } t ? t : saved?.Token;
        return url is null ? null : new HubLogin(url, token);
    }

    /// <summary>Writes the login atomically, readable and writable by the owner only.</summary>
    public void Save(string? path = null)
    {
        path ??= DefaultPath();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        File.WriteAllText(temp, "");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }
}
