namespace Cggm.Analysis;

/// <summary>
/// The process's resident memory as the operating system counts it (Linux <c>/proc/self/status</c>): the current resident set
/// (VmRSS) and its peak (VmHWM), which <see cref="ResetPeak"/> sets back to the current value (<c>/proc/self/clear_refs</c>,
/// Linux ≥ 4.0). On CPU this is the memory libtorch's allocations and the .NET heap actually occupy; it stands in for the
/// GPU memory the paper reports (Table 8), which a CPU run cannot measure.
/// </summary>
public static class ProcessMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>True where the peak can be reset and read (Linux with procfs).</summary>
    public static bool Available => OperatingSystem.IsLinux() && File.Exists(Status) && File.Exists(ClearRefs);

    /// <summary>Sets the peak resident size back to the current one; false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        if (!Available) return false;
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Peak resident bytes since the start or the last <see cref="ResetPeak"/>; null where not available.</summary>
    public static long? PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Current resident bytes; null where not available.</summary>
    public static long? ResidentBytes() => Read("VmRSS:");

    private static long? Read(string key)
    {
        if (!Available) return null;
        foreach (var line in File.ReadLines(Status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], out var kb) ? kb * 1024 : null;
        }
        return null;
    }
}
