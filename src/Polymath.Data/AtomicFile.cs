namespace Polymath.Data;

/// <summary>Writes files so that a reader (or a crash) never sees a half-written file.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/>, flushes it to disk and renames it over
    /// <paramref name="path"/>. If <paramref name="write"/> throws, the temporary file is deleted and any
    /// previous file at <paramref name="path"/> is left as it was.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written or renamed.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
