using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>
/// The one place that decides the default device: the <c>CGGM_DEVICE</c> environment variable ("cpu", "cuda", "cuda:1")
/// when set, else CUDA when this build carries the CUDA backend and CUDA initialises, else the CPU. Everything else takes a
/// device as a parameter.
/// <para>
/// CUDA is initialised with <c>torch.InitializeDeviceType(DeviceType.CUDA)</c> rather than only asking
/// <c>torch.cuda.is_available()</c>: inside a notebook kernel TorchSharp can report CUDA unavailable although a console app
/// on the same machine sees it (dotnet/TorchSharp#1491), and TorchSharp's own loader advises that call before any use of the
/// CUDA packages from scripts or notebooks. When it fails, <see cref="CudaProblem"/> keeps TorchSharp's reason.
/// </para>
/// </summary>
public static class Devices
{
    private static Device? _default;
    private static bool? _cudaAvailable;
    private static string? _cudaProblem;

    /// <summary>
    /// The TorchSharp backend this build references: "cuda" after <c>dotnet build -p:TorchBackend=cuda</c>
    /// (<c>TorchSharp-cuda-linux</c>), else "cpu" (<c>libtorch-cpu-linux-x64</c>).
    /// </summary>
    public static string Backend { get; } =
#if TORCH_CUDA
        "cuda";
#else
        "cpu";
#endif

    /// <summary>The default device, decided once per process.</summary>
    public static Device Default => _default ??= Decide(Environment.GetEnvironmentVariable("CGGM_DEVICE"));

    /// <summary>True when this build has the CUDA backend and CUDA initialised (probed once per process).</summary>
    public static bool CudaAvailable
    {
        get
        {
            _cudaAvailable ??= ProbeCuda(out _cudaProblem);
            return _cudaAvailable.Value;
        }
    }

    /// <summary>Why CUDA is not used (null when <see cref="CudaAvailable"/>).</summary>
    public static string? CudaProblem => CudaAvailable ? null : _cudaProblem;

    /// <summary>Parses "cpu", "cuda" or "cuda:N"; null or empty picks CUDA when available, else the CPU.</summary>
    public static Device Decide(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return CudaAvailable ? CUDA : CPU;
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!CudaAvailable)
                throw new NotSupportedException($"Device '{name}' was asked for, but CUDA is not available: {CudaProblem} Use 'cpu', or see docs/gpu-and-clusters.md.");
            return torch.device(text);
        }
        throw new ArgumentException($"Unknown device '{name}': expected 'cpu', 'cuda' or 'cuda:N'.", nameof(name));
    }

    private static bool ProbeCuda(out string? problem)
    {
        problem = null;
        if (Backend != "cuda")
        {
            problem = "this build uses TorchSharp's CPU backend; build with 'dotnet build -c Release -p:TorchBackend=cuda' on a machine with an NVIDIA driver.";
            return false;
        }
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);   // dotnet/TorchSharp#1491: initialise CUDA explicitly, before any other use
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException or TypeInitializationException)
        {
            var first = e.Message.Split('\n', 2)[0].Trim();
            problem = $"TorchSharp could not initialise CUDA ({first}). Check 'nvidia-smi' (driver and GPU visible in this container or job), " +
                      "and in a notebook run the setup cell (NotebookEnvironment.Setup) before any other TorchSharp call.";
            return false;
        }
    }
}
