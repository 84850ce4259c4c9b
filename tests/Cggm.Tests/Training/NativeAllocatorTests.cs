using Cggm.Analysis;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Training;

public class NativeAllocatorTests
{
    [SkippableFact]
    public void Glibc_accepts_the_thresholds_and_the_top_pad_and_the_variable_turns_it_off()
    {
        RequireGlibc();
        Assert.True(NativeAllocator.KeepFreedMemory());
        var before = Environment.GetEnvironmentVariable(NativeAllocator.Variable);
        try
        {
            Environment.SetEnvironmentVariable(NativeAllocator.Variable, "0");
            Assert.False(NativeAllocator.KeepFreedMemory());
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeAllocator.Variable, before);
        }
    }

    [SkippableFact]
    public void Freed_tensors_stay_resident_until_released()
    {
        RequireGlibc();
        Assert.True(NativeAllocator.KeepFreedMemory());
        NativeAllocator.ReleaseFreedMemory();
        double Mb() => ProcessMemory.Resident / 1048576.0;
        double start = Mb();
        var blocks = Enumerable.Range(0, 16).Select(_ => torch.ones(4 << 20)).ToArray();   // 16 × 16 MiB, each under the 32 MiB mmap threshold
        double allocated = Mb();
        foreach (var b in blocks) b.Dispose();
        double freed = Mb();
        Assert.True(NativeAllocator.ReleaseFreedMemory());
        double released = Mb();
        Assert.True(allocated - start > 200, $"allocating 256 MiB raised the resident set by {allocated - start:F0} MiB only");
        Assert.True(allocated - freed < 100, $"freeing gave {allocated - freed:F0} MiB back to the kernel at once; it should stay in the process");
        Assert.True(freed - released > 150, $"releasing gave back {freed - released:F0} MiB of the 256 MiB freed");
    }

    private static void RequireGlibc() =>
        Skip.IfNot(OperatingSystem.IsLinux() && new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6" }.Any(File.Exists),
                   "needs Linux with glibc (these machines)");
}
