using System.Runtime.InteropServices;

namespace Cggm.Training;

/// <summary>
/// Keeps freed native memory in the process for reuse instead of handing it back to the kernel. libtorch allocates
/// every activation and gradient afresh each training step through glibc's malloc, which serves blocks above its mmap
/// threshold (128 KiB, rising with use) with <c>mmap</c>, unmaps them when freed and trims the heap top beyond its trim
/// threshold, so the next step faults the same pages in again: a MOSI-size joint bench (15 steps) took 1.0 M minor page
/// faults and 3.6 s of system time, 839 ms a step. With the mmap threshold at its maximum (32 MiB) and the trim
/// threshold at 1 GiB it took 0.33 M faults, 1.5 s and 708 ms a step. A thread other than the process's first
/// (BenchmarkDotNet runs its in-process benchmarks on one, a notebook kernel its cells, any <c>Task</c> its work)
/// allocates from its own arena of 64 MiB heaps, which glibc unmaps the moment one is empty whatever the trim
/// threshold, unless the top pad is that large: with the default pad (128 KiB) the MOSI-size step in training mode, on
/// such a thread, unmapped 64 MiB 28 times in 9 step pairs and faulted in 2.7–20 k pages in its dropout's backward alone
/// (training over evaluation mode 1.12–2.14 in four runs; 1.12–1.13 with the 64 MiB pad). Linux with glibc only
/// (<c>mallopt</c>); elsewhere nothing changes. The CLI and the notebooks' setup call it;
/// <c>CGGM_KEEP_FREED_MEMORY=0</c> turns it off.
/// </summary>
public static class NativeAllocator
{
    /// <summary>The environment variable that turns <see cref="KeepFreedMemory"/> off when set to 0.</summary>
    public const string Variable = "CGGM_KEEP_FREED_MEMORY";

    private const int TrimThresholdParameter = -1;    // M_TRIM_THRESHOLD
    private const int MmapThresholdParameter = -3;    // M_MMAP_THRESHOLD
    private const int TopPadParameter = -2;           // M_TOP_PAD
    private const int MmapThreshold = 32 << 20;       // glibc's upper limit on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX)
    private const int TrimThreshold = 1 << 30;
    private const int TopPad = 64 << 20;              // a thread arena's heap size on 64-bit (HEAP_MAX_SIZE)

    /// <summary>Raises glibc's mmap and trim thresholds and its top pad; true when all three were accepted.</summary>
    public static bool KeepFreedMemory() =>
        Environment.GetEnvironmentVariable(Variable) != "0"
        && OnGlibc(() => mallopt(MmapThresholdParameter, MmapThreshold) == 1 & mallopt(TrimThresholdParameter, TrimThreshold) == 1
                         & mallopt(TopPadParameter, TopPad) == 1);

    /// <summary>
    /// Hands the freed memory <see cref="KeepFreedMemory"/> keeps back to the kernel (<c>malloc_trim(0)</c>), so that a following
    /// peak-memory measurement starts from what is in use; false where there is no glibc.
    /// </summary>
    public static bool ReleaseFreedMemory() => OnGlibc(() =>
    {
        malloc_trim(0);
        return true;
    });

    /// <summary><paramref name="call"/>'s result on Linux with glibc; false elsewhere (musl has neither function).</summary>
    private static bool OnGlibc(Func<bool> call)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return call();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6")]
    private static extern int mallopt(int parameter, int value);

    [DllImport("libc.so.6")]
    private static extern int malloc_trim(nuint pad);
}
