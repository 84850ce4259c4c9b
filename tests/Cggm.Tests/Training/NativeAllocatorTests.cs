using Cggm.Training;

namespace Cggm.Tests.Training;

public class NativeAllocatorTests
{
    [SkippableFact]
    public void Glibc_accepts_both_thresholds_and_the_variable_turns_it_off()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6" }.Any(File.Exists), "needs Linux with glibc (these machines)");
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
}
