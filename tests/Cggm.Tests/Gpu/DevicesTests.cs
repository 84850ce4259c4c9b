using Cggm.Notebooks.Display;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Gpu;

public sealed class DevicesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-natives-" + Guid.NewGuid().ToString("N")[..8]);

    [SkippableFact]
    public void A_cpu_build_never_picks_cuda_and_says_how_to_get_it()
    {
        Skip.If(Devices.Backend != "cpu", "this is a CUDA build");
        Assert.False(Devices.CudaAvailable);
        Assert.Contains("-p:TorchBackend=cuda", Devices.CudaProblem);
        Assert.Equal(DeviceType.CPU, Devices.Decide(null).type);
        var e = Assert.Throws<NotSupportedException>(() => Devices.Decide("cuda:0"));
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
    }

    [Fact]
    public void Device_names_are_parsed_and_unknown_ones_rejected()
    {
        Assert.Equal(DeviceType.CPU, Devices.Decide(" CPU ").type);
        Assert.Throws<ArgumentException>(() => Devices.Decide("tpu"));
    }

    [Fact]
    public void The_natives_folder_decides_which_backend_preload_loads()
    {
        Directory.CreateDirectory(_dir);
        foreach (var name in TorchNative.CpuLibraries) File.WriteAllText(Path.Combine(_dir, name), "");
        var (backend, paths) = TorchNative.LibrariesIn(_dir);
        Assert.Equal("cpu", backend);
        Assert.Equal(TorchNative.CpuLibraries, paths.Select(Path.GetFileName));

        File.WriteAllText(Path.Combine(_dir, "libtorch_cuda.so"), "");               // a CUDA build without libc10_cuda.so
        (backend, paths) = TorchNative.LibrariesIn(_dir);
        Assert.Equal("cuda", backend);
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so", "libLibTorchSharp.so"], paths.Select(Path.GetFileName));
    }

    [Fact]
    public void Preload_loads_the_backend_this_build_carries()
    {
        var folder = TorchNative.Preload();
        Assert.Equal(Devices.Backend, TorchNative.LoadedBackend);
        Assert.True(File.Exists(Path.Combine(folder, "libtorch_cpu.so")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
