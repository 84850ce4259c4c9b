using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Cggm.Training;

/// <summary>
/// Caps oneDNN, the library behind libtorch's CPU convolutions, at SSE4.1 on AMD processors with AVX-512 — unless the user
/// set <c>ONEDNN_MAX_CPU_ISA</c> (or <c>DNNL_MAX_CPU_ISA</c>) themselves; <c>ONEDNN_MAX_CPU_ISA=DEFAULT</c> lifts the cap.
/// Measured on this kit's machines (AMD EPYC, family 26, 2 vCPUs; libtorch 2.10), with two threads:
/// <list type="bullet">
/// <item>AVX-512 kernels: conv2d 4→4 channels, 3×3, 40×40, batch 2 — 24 of 30 repeated forward+backward passes differed from
/// the first; 8→8 at 20×20 — 2 of 30 non-finite; the BraTS DeepLab trained to NaN.</item>
/// <item>AVX2 and AVX kernels: rarer, load-dependent NaN — a small BraTS DeepLab's forward+backward at 160×160 was non-finite in
/// 1–5 of 20 repetitions (the decoder's 3×3 conv over 36 channels at 40×40: 1 in 200 alone); finite repetitions were
/// bit-identical. The parity suite (docs/parity.md) also found their 3×3 convolutions repeatable but wrong when the input
/// channel count is not a multiple of 8 (67→16 and 19→16 at 40×40, the narrowed BraTS decoder and classifiers: relative error
/// 0.08–0.36 against float64; 64, 72, 80 and 1072 channels exact).</item>
/// <item>SSE4.1 kernels (and one thread at any level): no non-finite or differing result in 1,600 convolution and 200 model
/// repetitions; that model's step took 131 ms against AVX2's 112 ms.</item>
/// </list>
/// .NET's own AVX-512 and AVX2 code on two threads gave identical results in 12,430 rounds, so the fault is in those oneDNN
/// kernels on this platform, not in the processor. Applied once, when the library is loaded (a module initializer), before any
/// convolution runs; oneDNN reads the variable when it creates its first primitive. Linux/x64 only.
/// </summary>
public static class OneDnnIsa
{
    /// <summary>The variable oneDNN reads (its older name <c>DNNL_MAX_CPU_ISA</c> is honoured too).</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The cap this kit sets where AVX-512 convolutions were measured to be unreliable.</summary>
    public const string Cap = "SSE41";

    /// <summary>What happened: the cap applied, the user's own setting kept, or why nothing was needed.</summary>
    public static string State { get; private set; } = "not checked";

    /// <summary>Sets <see cref="Variable"/> = <see cref="Cap"/> in the native environment on AMD processors with AVX-512; idempotent.</summary>
    public static void Apply()
    {
        if (State != "not checked") return;
        var own = Environment.GetEnvironmentVariable(Variable) ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
        if (own is not null) { State = $"{Variable}={own} (set by the user)"; return; }
        if (!OperatingSystem.IsLinux() || !X86Base.IsSupported || !Avx512F.IsSupported) { State = "no AVX-512: nothing to cap"; return; }
        if (Vendor() != "AuthenticAMD") { State = "AVX-512 on a non-AMD processor: not capped"; return; }
        try
        {
            // .NET keeps its own copy of the environment on Unix: native getenv sees only what setenv writes.
            State = setenv(Variable, Cap, 0) == 0 ? $"{Variable}={Cap} (AMD with AVX-512: its AVX-512, AVX2 and AVX convolutions were unreliable here)" : "setenv failed: not capped";
            Environment.SetEnvironmentVariable(Variable, Cap);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            State = "no glibc: not capped";
        }
    }

    /// <summary>The CPUID vendor string ("GenuineIntel", "AuthenticAMD", …).</summary>
    private static string Vendor()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.GetBytes(ebx).CopyTo(bytes, 0);
        BitConverter.GetBytes(edx).CopyTo(bytes, 4);
        BitConverter.GetBytes(ecx).CopyTo(bytes, 8);
        return Encoding.ASCII.GetString(bytes);
    }

    [DllImport("libc.so.6")]
    private static extern int setenv(string name, string value, int overwrite);
}
