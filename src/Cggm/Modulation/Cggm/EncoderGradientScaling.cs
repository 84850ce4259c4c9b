using Cggm.Training;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM's magnitude modulation (paper Eq. 8):
///   θ^{φ_i}_{t+1} = θ^{φ_i}_t − α·B_i^t·∇θ^{φ_i}𝓛,
/// applied as ∇θ^{φ_i} ← B_i·∇θ^{φ_i} after backward and before clipping and the optimizer step. Only the encoders φ_i are
/// scaled; the fusion Ω and the head 𝓕 keep the plain update (Eq. 3). B_i may be negative (the released coefficients flip sign
/// when Σ Δε ≈ 0), which reverses that encoder's gradient.
/// </summary>
public static class EncoderGradientScaling
{
    /// <summary>Multiplies the gradient of every parameter of encoder i (<paramref name="encoders"/>[i]) by <paramref name="b"/>[i].</summary>
    public static void Apply(IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> encoders, Tensor b)
    {
        if (b.dim() != 1 || b.shape[0] != encoders.Count)
            throw new ArgumentException($"B has shape [{string.Join(", ", b.shape)}] but there are {encoders.Count} encoders.", nameof(b));
        for (int i = 0; i < encoders.Count; i++)
            GradientTools.Scale(encoders[i], b[i]);
    }
}
