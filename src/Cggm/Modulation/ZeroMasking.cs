using Cggm.Models;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// The zero-masking route to unimodal predictions, for models whose head is not a single linear layer (so the OGM-GE
/// "head split" o_m = W_m h_m + b/M does not apply): ŷ_S = 𝓕(Ω([h̃_1, …, h̃_M])) with h̃_i = h_i for i ∈ S and h̃_i = 0
/// otherwise (OGM-GE issues #20/#21; ARL; AGM's padded passes). Features of absent modalities are zeros of the same
/// shape, so any fusion Ω and head 𝓕 accept them.
/// </summary>
public static class ZeroMasking
{
    /// <summary>ŷ_{m} = 𝓕(Ω([0, …, h_m, …, 0])): the prediction from modality <paramref name="keep"/> alone.</summary>
    public static MultimodalOutput Only(MultimodalModel model, Tensor[] features, int keep)
    {
        var mask = new bool[features.Length];
        mask[keep] = true;
        return Keep(model, features, mask);
    }

    /// <summary>ŷ_S = 𝓕(Ω([h̃_1, …, h̃_M])) for the subset S given by <paramref name="keep"/> (true = present).</summary>
    public static MultimodalOutput Keep(MultimodalModel model, Tensor[] features, IReadOnlyList<bool> keep)
    {
        if (keep.Count != features.Length)
            throw new ArgumentException($"The mask names {keep.Count} modalities but there are {features.Length} feature tensors.", nameof(keep));
        var masked = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++) masked[i] = keep[i] ? features[i] : zeros_like(features[i]);
        return model.FromFeatures(masked);
    }

    /// <summary>Σ_{n∈B} softmax(o^n)[y_n]: the summed true-class probability of logits <c>[B, C]</c> (OGM-GE's score s_m).</summary>
    public static Tensor TrueClassScore(Tensor logits, Tensor labels)
    {
        using var _ = no_grad();
        return nn.functional.softmax(logits, 1).gather(1, labels.reshape(-1, 1)).sum();
    }
}
