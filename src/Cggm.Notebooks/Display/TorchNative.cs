using System.Reflection;
using System.Runtime.InteropServices;

namespace Cggm.Notebooks.Display;

/// <summary>
/// Loads libtorch and LibTorchSharp by absolute path from the folder TorchSharp.dll was loaded from. Inside a notebook
/// kernel TorchSharp probes its natives by bare name, so another libtorch on the system (Debian's python3-torch brings
/// libtorch 1.13) can be picked up instead and fail with "undefined symbol"; loading ours first by path makes the later
/// by-name loads resolve to them. The folder decides the backend: with <c>libtorch_cuda.so</c> present (a
/// <c>-p:TorchBackend=cuda</c> build) the CUDA libraries are loaded too, before TorchSharp's first CUDA probe, which would
/// otherwise mark the CUDA backend as loaded without them and report CUDA unavailable for the rest of the kernel
/// (dotnet/TorchSharp#1491). Call before the first use of <c>torch</c>.
/// </summary>
public static class TorchNative
{
    private static string? _loadedFrom;

    /// <summary>The CPU backend's libraries, in load order.</summary>
    public static IReadOnlyList<string> CpuLibraries { get; } = ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"];

    /// <summary>The CUDA backend's libraries, in load order (cuDNN, cuBLAS and the CUDA runtime load as their dependencies).</summary>
    public static IReadOnlyList<string> CudaLibraries { get; } = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so", "libLibTorchSharp.so"];

    /// <summary>The backend whose natives were loaded ("cpu" or "cuda"; null before <see cref="Preload"/>, or off Linux).</summary>
    public static string? LoadedBackend { get; private set; }

    /// <summary>Loads the natives once; returns the folder they came from.</summary>
    public static string Preload()
    {
        if (_loadedFrom is not null) return _loadedFrom;
        if (!OperatingSystem.IsLinux()) return _loadedFrom = "(not Linux: TorchSharp's own loading is used)";
        var assembly = typeof(TorchSharp.torch).Assembly;   // does not run torch's static constructor
        var folder = Path.GetDirectoryName(assembly.Location)!;
        string[] candidates = [folder, Path.Combine(folder, "runtimes", "linux-x64", "native")];
        var dir = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")) && File.Exists(Path.Combine(d, "libLibTorchSharp.so")))
            ?? throw new FileNotFoundException($"libtorch_cpu.so and libLibTorchSharp.so were not found next to {assembly.Location}. " +
                                               "Load the notebooks' library from src/Cggm.Notebooks/bin/Release/net10.0/ after 'dotnet build -c Release'.");
        var (backend, libraries) = LibrariesIn(dir);
        foreach (var path in libraries) NativeLibrary.Load(path);
        LoadedBackend = backend;
        return _loadedFrom = dir;
    }

    /// <summary>
    /// The backend of the natives in <paramref name="directory"/> ("cuda" when <c>libtorch_cuda.so</c> is there) and the
    /// paths to load, in order; libraries a backend's build does not ship (e.g. <c>libc10_cuda.so</c> in older packages) are
    /// skipped.
    /// </summary>
    public static (string Backend, IReadOnlyList<string> Paths) LibrariesIn(string directory)
    {
        var cuda = File.Exists(Path.Combine(directory, "libtorch_cuda.so"));
        var names = cuda ? CudaLibraries : CpuLibraries;
        return (cuda ? "cuda" : "cpu", names.Select(n => Path.Combine(directory, n)).Where(File.Exists).ToArray());
    }

    /// <summary>The informational version of an assembly (for the environment summary).</summary>
    internal static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "?";
}
