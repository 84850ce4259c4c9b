using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Blocks;

/// <summary>
/// Dropout keep-masks drawn from SplitMix64 (Steele, Lea &amp; Flood, OOPSLA 2014): z_k = mix(s + (k + 1)·γ), γ = 0x9E3779B97F4A7C15,
/// with the start s drawn from torch's global generator, so that seeding torch fixes every mask. Element j uses the 32-bit
/// half j mod 2 of z_{⌊j/2⌋} as a uniform u_j on {0, …, 2³² − 1} and keeps the element iff u_j ≥ round(p·2³²), i.e. with
/// probability 1 − p to within 2⁻³³ (torch's float32 <c>rand</c> resolves p to 2⁻²⁴). Because z_k depends on k alone, chunks
/// of the mask are filled in parallel. libtorch draws CPU uniforms one at a time from one Mersenne Twister (4–6 ns an element
/// here), which made dropout over half of a MOSI-size training step (benchmarks/Cggm.Benchmarks, DropoutCostBenchmarks).
/// </summary>
public static class SplitMixMask
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const int Chunk = 1 << 18;   // elements per parallel work item (even)

    /// <summary>SplitMix64's output function: mix(z) = z₃ with z₁ = (z ⊕ z≫30)·0xBF58476D1CE4E5B9, z₂ = (z₁ ⊕ z₁≫27)·0x94D049BB133111EB, z₃ = z₂ ⊕ z₂≫31.</summary>
    public static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A float32 CPU tensor shaped like <paramref name="like"/> holding 1/(1 − <paramref name="p"/>) where the element is kept
    /// and 0 where it is dropped.
    /// </summary>
    public static Tensor Create(Tensor like, double p)
    {
        ulong start;
        using (var draw = torch.randint(long.MaxValue, [1], ScalarType.Int64)) start = (ulong)draw.item<long>();
        var mask = torch.empty(like.shape, ScalarType.Float32);
        Fill(mask, start, Threshold(p), (float)(1.0 / (1.0 - p)));
        return mask;
    }

    /// <summary>round(p·2³²): the smallest kept u.</summary>
    public static uint Threshold(double p) => (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));

    /// <summary>Fills <paramref name="mask"/> (contiguous float32 on the CPU) from the stream that starts at <paramref name="start"/>.</summary>
    public static void Fill(Tensor mask, ulong start, uint threshold, float scale)
    {
        long count = mask.numel();
        int chunks = (int)((count + Chunk - 1) / Chunk);
        if (chunks <= 1) { FillRange(MemoryMarshal.Cast<byte, float>(mask.bytes), 0, start, threshold, scale); return; }
        Parallel.For(0, chunks, c =>
        {
            long first = (long)c * Chunk;
            var span = MemoryMarshal.Cast<byte, float>(mask.bytes).Slice((int)first, (int)Math.Min(Chunk, count - first));
            FillRange(span, first, start, threshold, scale);
        });
    }

    private static void FillRange(Span<float> span, long first, ulong start, uint threshold, float scale)
    {
        ulong k = (ulong)(first >> 1);   // first is even
        ref float target = ref MemoryMarshal.GetReference(span);
        int pairs = span.Length / 2;
        for (int i = 0; i < pairs; i++, k++)
        {
            ulong z = Mix(unchecked(start + (k + 1) * Gamma));
            Unsafe.Add(ref target, 2 * i) = (uint)z >= threshold ? scale : 0f;
            Unsafe.Add(ref target, 2 * i + 1) = (uint)(z >> 32) >= threshold ? scale : 0f;
        }
        if (span.Length % 2 == 1) span[^1] = (uint)Mix(unchecked(start + (k + 1) * Gamma)) >= threshold ? scale : 0f;
    }
}
