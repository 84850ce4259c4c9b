using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>
/// The one place that decides the default device: the <c>CGGM_DEVICE</c> environment variable ("cpu", "cuda", "cuda:1")
/// when set, else CUDA when TorchSharp reports it available, else the CPU. Everything else takes a device as a parameter.
/// </summary>
public static class Devices
{
    private static Device? _default;

    /// <summary>The default device, decided once per process.</summary>
    public static Device Default => _default ??= Decide(Environment.GetEnvironmentVariable("CGGM_DEVICE"));

    /// <summary>Parses "cpu", "cuda" or "cuda:N"; null or empty picks CUDA when available, else the CPU.</summary>
    public static Device Decide(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return cuda.is_available() ? CUDA : CPU;
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException($"Device '{name}' was asked for, but TorchSharp reports no CUDA device. Build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use 'cpu'.");
            return torch.device(text);
        }
        throw new ArgumentException($"Unknown device '{name}': expected 'cpu', 'cuda' or 'cuda:N'.", nameof(name));
    }
}
