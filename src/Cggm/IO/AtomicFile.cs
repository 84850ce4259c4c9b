namespace Cggm.IO;

/// <summary>Writes files so that a reader sees either the old content or the new one, never a partial file:
/// write to a temporary file in the same folder, flush it to disk, then rename it over the target. For fault tests, the
/// environment variable <c>CGGM_FAULT_WRITE_DELAY_MS</c> makes every write pause that long between the flushed temporary
/// file and the rename, so a test can kill the process in the middle of a checkpoint write.</summary>
public static class AtomicFile
{
    private static readonly int FaultDelayMs = int.TryParse(Environment.GetEnvironmentVariable("CGGM_FAULT_WRITE_DELAY_MS"), out var ms) ? ms : 0;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (FaultDelayMs > 0) Thread.Sleep(FaultDelayMs);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes text atomically (UTF-8).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });
}
