using System.Reflection;
using System.Runtime.InteropServices;

namespace Cggm.Notebooks.Display;

/// <summary>
/// Loads libtorch and LibTorchSharp by absolute path from the folder TorchSharp.dll was loaded from. Inside a notebook
/// kernel TorchSharp probes its natives by bare name, so another libtorch on the system (Debian's python3-torch brings
/// libtorch 1.13) can be picked up instead and fail with "undefined symbol"; loading ours first by path makes the later
/// by-name loads resolve to them. Call before the first use of <c>torch</c>.
/// </summary>
public static class TorchNative
{
    private static string? _loadedFrom;

    /// <summary>Loads the natives once; returns the folder they came from.</summary>
    public static string Preload()
    {
        if (_loadedFrom is not null) return _loadedFrom;
        if (!OperatingSystem.IsLinux()) return _loadedFrom = "(not Linux: TorchSharp's own loading is used)";
        var folder = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!;
        string[] candidates = [folder, Path.Combine(folder, "runtimes", "linux-x64", "native")];
        var dir = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")) && File.Exists(Path.Combine(d, "libLibTorchSharp.so")))
            ?? throw new FileNotFoundException($"libtorch_cpu.so and libLibTorchSharp.so were not found next to {typeof(TorchSharp.torch).Assembly.Location}. " +
                                               "Load the notebooks' library from src/Cggm.Notebooks/bin/Release/net10.0/ after 'dotnet build -c Release'.");
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        return _loadedFrom = dir;
    }

    /// <summary>The informational version of an assembly (for the environment summary).</summary>
    internal static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "?";
}
