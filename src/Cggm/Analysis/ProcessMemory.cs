namespace Cggm.Analysis;

/// <summary>
/// Resident memory of this process from <c>/proc/self/status</c> (Linux): the current resident set (VmRSS) and its peak
/// (VmHWM), which <see cref="ResetPeak"/> resets (writing 5 to <c>/proc/self/clear_refs</c>) so that each measured phase
/// gets its own peak. Elsewhere the values fall back to <see cref="System.Diagnostics.Process"/>.
/// </summary>
public static class ProcessMemory
{
    /// <summary>True where the peak can be reset and read (Linux with procfs).</summary>
    public static bool Available => OperatingSystem.IsLinux() && File.Exists("/proc/self/status") && File.Exists("/proc/self/clear_refs");

    /// <summary>Current resident set in bytes.</summary>
    public static long Resident => Read("VmRSS:") ?? Environment.WorkingSet;

    /// <summary>Peak resident set in bytes since the process started or the last <see cref="ResetPeak"/>.</summary>
    public static long Peak => Read("VmHWM:") ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Resets the peak to the current resident set; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static long? Read(string key)
    {
        if (!OperatingSystem.IsLinux()) return null;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
        return null;
    }
}
