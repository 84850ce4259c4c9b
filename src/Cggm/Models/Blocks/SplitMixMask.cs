using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Blocks;

/// <summary>
/// Dropout keep-masks drawn from SplitMix64 (Steele, Lea &amp; Flood, OOPSLA 2014): z_k = mix(s + (k + 1)·γ), γ = 0x9E3779B97F4A7C15,
/// with the start s drawn from torch's global generator, so that seeding torch fixes every mask. Element j uses the 32-bit
/// half j mod 2 of z_{⌊j/2⌋} as a uniform u_j on {0, …, 2³² − 1} and keeps the element iff u_j ≥ round(p·2³²), i.e. with
/// probability 1 − p to within 2⁻³³ (torch's float32 <c>rand</c> resolves p to 2⁻²⁴). Because z_k depends on k alone, the
/// mask never has to be stored: <see cref="Scale"/> recomputes it wherever it is applied, several outputs per vector operation.
/// libtorch draws CPU uniforms one at a time from one Mersenne Twister (4–6 ns an element here), which made dropout over half
/// of a MOSI-size training step (benchmarks/Cggm.Benchmarks, DropoutCostBenchmarks).
/// </summary>
public static class SplitMixMask
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output function: mix(z) = z₃ with z₁ = (z ⊕ z≫30)·0xBF58476D1CE4E5B9, z₂ = (z₁ ⊕ z₁≫27)·0x94D049BB133111EB, z₃ = z₂ ⊕ z₂≫31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A stream start s drawn from torch's global generator (so <c>manual_seed</c> and a resumed generator fix it).</summary>
    public static ulong DrawStart()
    {
        using var draw = torch.randint(long.MaxValue, [1], ScalarType.Int64);
        return (ulong)draw.item<long>();
    }

    /// <summary>
    /// A float32 CPU tensor shaped like <paramref name="like"/> holding 1/(1 − <paramref name="p"/>) where the element is kept
    /// and 0 where it is dropped.
    /// </summary>
    public static Tensor Create(Tensor like, double p)
    {
        var mask = torch.empty(like.shape, ScalarType.Float32);
        Fill(mask, DrawStart(), Threshold(p), (float)(1.0 / (1.0 - p)));
        return mask;
    }

    /// <summary>round(p·2³²): the smallest kept u.</summary>
    public static uint Threshold(double p) => (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));

    /// <summary>Fills <paramref name="mask"/> (contiguous float32 on the CPU) with m_j = scale·[u_j ≥ threshold] from the stream at <paramref name="start"/>.</summary>
    public static void Fill(Tensor mask, ulong start, uint threshold, float scale) =>
        ScaleRange(default, Floats(mask), start, threshold, scale, fromSource: false);

    /// <summary>
    /// target_j = source_j · m_j with the mask of <see cref="Fill"/>, without materialising it: one pass that reads
    /// <paramref name="source"/> and writes <paramref name="target"/> (contiguous float32 CPU tensors of one size; the same
    /// tensor for in place). A dropped element is source_j · 0, as torch's <c>x * mask</c> (NaN stays NaN, −x gives −0).
    /// </summary>
    public static void Scale(Tensor source, Tensor target, ulong start, uint threshold, float scale)
    {
        if (source.numel() != target.numel()) throw new ArgumentException($"Source ({source.numel()}) and target ({target.numel()}) sizes differ.", nameof(target));
        ScaleRange(Floats(source), Floats(target), start, threshold, scale, fromSource: true);
    }

    private static Span<float> Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>
    /// target_j = (fromSource ? source_j : 1) · scale·[u_j ≥ threshold] over the whole span, <see cref="Vector{T}"/>-wide (four
    /// outputs z, eight elements, an iteration on AVX2), the tail one output at a time. On the calling thread: spread over
    /// .NET's thread pool it competed with libtorch's OpenMP threads, which spin between operations, and the MOSI-size step
    /// was both slower and far noisier (benchmarks/Cggm.Benchmarks, DropoutCostBenchmarks).
    /// </summary>
    private static void ScaleRange(ReadOnlySpan<float> source, Span<float> target, ulong start, uint threshold, float scale, bool fromSource)
    {
        ulong k = 0;
        ref float output = ref MemoryMarshal.GetReference(target);
        ref float input = ref MemoryMarshal.GetReference(source);
        int j = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && Vector<ulong>.Count * 2 == width)
        {
            Span<ulong> lanes = stackalloc ulong[Vector<ulong>.Count];
            for (int l = 0; l < lanes.Length; l++) lanes[l] = unchecked(start + (k + 1 + (ulong)l) * Gamma);
            var counter = new Vector<ulong>(lanes);
            var step = new Vector<ulong>(unchecked((ulong)lanes.Length * Gamma));
            var limit = new Vector<uint>(threshold);
            var kept = new Vector<float>(scale);
            for (; j + width <= target.Length; j += width, counter += step)
            {
                var keep = Vector.GreaterThanOrEqual(Vector.AsVectorUInt32(Mix(counter)), limit);   // [lo z_k, hi z_k, lo z_k+1, …]
                var m = Vector.ConditionalSelect(Vector.AsVectorInt32(keep), kept, Vector<float>.Zero);
                (fromSource ? Vector.LoadUnsafe(ref input, (nuint)j) * m : m).StoreUnsafe(ref output, (nuint)j);
            }
            k += (ulong)(j / 2);
        }
        for (; j + 1 < target.Length; j += 2, k++)
        {
            ulong z = Mix(unchecked(start + (k + 1) * Gamma));
            float m0 = (uint)z >= threshold ? scale : 0f, m1 = (uint)(z >> 32) >= threshold ? scale : 0f;
            Unsafe.Add(ref output, j) = fromSource ? Unsafe.Add(ref input, j) * m0 : m0;
            Unsafe.Add(ref output, j + 1) = fromSource ? Unsafe.Add(ref input, j + 1) * m1 : m1;
        }
        if (j < target.Length)
        {
            float m = (uint)Mix(unchecked(start + (k + 1) * Gamma)) >= threshold ? scale : 0f;
            target[j] = fromSource ? source[j] * m : m;
        }
    }

    /// <summary><see cref="Mix(ulong)"/> lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<ulong> Mix(Vector<ulong> z)
    {
        z = (z ^ Vector.ShiftRightLogical(z, 30)) * new Vector<ulong>(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector.ShiftRightLogical(z, 27)) * new Vector<ulong>(0x94D049BB133111EBUL);
        return z ^ Vector.ShiftRightLogical(z, 31);
    }
}
