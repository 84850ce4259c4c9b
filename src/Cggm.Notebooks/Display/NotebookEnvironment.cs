using System.Net;
using Cggm.Experiments;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Notebooks.Display;

/// <summary>
/// What a notebook's first cell sets up and shows: native libtorch loaded from the build output (the CPU or the CUDA
/// backend, whichever the library was built with), the device (<see cref="Devices.Default"/>: CUDA when it initialises,
/// else the CPU, with the reason), the profile (from <c>CGGM_PROFILE</c>, default Quick) and the versions in use. It fails
/// with a clear message in a kernel whose FSharp.Core is too old for Plotly.NET 6. Its HTML output also carries the one
/// inline copy of plotly.js the notebook's charts draw with (<see cref="OfflineCharts"/>), so charts need no network.
/// </summary>
public sealed class NotebookEnvironment : HtmlView
{
    private NotebookEnvironment(Profile profile, string device, string? cudaProblem, string natives, string torchSharp, string fsharpCore, bool offlineCharts)
    {
        OfflineChartsInKernel = offlineCharts;
        Profile = profile;
        Device = device;
        CudaProblem = cudaProblem;
        Natives = natives;
        TorchSharpVersion = torchSharp;
        FSharpCoreVersion = fsharpCore;
    }

    /// <summary>The profile the notebook runs.</summary>
    public Profile Profile { get; }

    /// <summary>The device experiments use.</summary>
    public string Device { get; }

    /// <summary>Why the CUDA device is not used (null when it is).</summary>
    public string? CudaProblem { get; }

    /// <summary>The backend of the loaded natives ("cpu" or "cuda").</summary>
    public string Backend => TorchNative.LoadedBackend ?? Devices.Backend;

    /// <summary>Where libtorch was loaded from.</summary>
    public string Natives { get; }

    /// <summary>TorchSharp's version.</summary>
    public string TorchSharpVersion { get; }

    /// <summary>The FSharp.Core loaded in this process (Plotly.NET 6 needs 10.1 or later).</summary>
    public string FSharpCoreVersion { get; }

    /// <summary>True when charts are formatted to draw with the inline plotly.js (in a .NET Interactive kernel).</summary>
    public bool OfflineChartsInKernel { get; }

    /// <summary>Loads the natives, checks the kernel, picks the profile and the device.</summary>
    public static NotebookEnvironment Setup(Profile? profile = null)
    {
        var fsharp = typeof(Microsoft.FSharp.Core.Unit).Assembly.GetName().Version!;
        if (fsharp < new Version(10, 1))
            throw new InvalidOperationException($"This kernel loaded FSharp.Core {fsharp}, but the charts (Plotly.NET 6) need 10.1. " +
                "Run 'dotnet build -c Release' in the repository and open the notebook with the repository's kernel copy (.tools/interactive): " +
                "VS Code picks it up from .vscode/settings.json, Jupyter with JUPYTER_PATH=<repo>/.tools/jupyter (see notebooks/README.md, 'Opening them').");
        var natives = TorchNative.Preload();                 // before any other TorchSharp call (CUDA: dotnet/TorchSharp#1491)
        NativeAllocator.KeepFreedMemory();                   // as the CLI does: freed activations stay in the process for the next step
        var device = Devices.Default.ToString();
        var offlineCharts = OfflineCharts.UseInKernel();     // charts draw with the plotly.js this cell's output inlines, not a CDN's
        return new NotebookEnvironment(profile ?? Profiles.FromEnvironment(), device, Devices.CudaProblem, natives,
            TorchNative.VersionOf(typeof(torch).Assembly), TorchNative.VersionOf(typeof(Microsoft.FSharp.Core.Unit).Assembly), offlineCharts);
    }

    /// <inheritdoc />
    public override string ToHtml() =>
        (OfflineChartsInKernel ? OfflineCharts.ScriptTag() : "") +
        $"<div><b>Cggm.Notebooks ready</b> — profile <b>{Profile}</b>, device <b>{WebUtility.HtmlEncode(Device)}</b>; " +
        $"TorchSharp {WebUtility.HtmlEncode(TorchSharpVersion)} ({Backend} libtorch from <code>{WebUtility.HtmlEncode(Natives)}</code>), FSharp.Core {WebUtility.HtmlEncode(FSharpCoreVersion)}" +
        (OfflineChartsInKernel ? $"; charts draw with plotly.js {WebUtility.HtmlEncode(OfflineCharts.PlotlyJsVersion)} inlined here (no network needed). " : ". ") +
        (Backend == "cuda" && CudaProblem is not null ? $"<br/>CUDA is not used: {WebUtility.HtmlEncode(CudaProblem)} " : "") +
        $"Change the profile with <code>Environment.SetEnvironmentVariable(\"{Profiles.Variable}\", \"smoke|quick|paper\")</code> before this cell, or pass it to <code>Setup</code>.</div>";

    /// <inheritdoc />
    public override string ToString() => $"Cggm.Notebooks: profile {Profile}, device {Device}, TorchSharp {TorchSharpVersion} ({Backend}), FSharp.Core {FSharpCoreVersion}, natives {Natives}" +
        (Backend == "cuda" && CudaProblem is not null ? $"; CUDA is not used: {CudaProblem}" : "");
}
