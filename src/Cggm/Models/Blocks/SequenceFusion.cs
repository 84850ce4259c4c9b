using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// Ω of the released sequence models: concatenate h_1..h_M along time ([text; audio; vision] for MOSI/IEMOCAP, [vision; text]
/// for Food, i.e. the dataset's modality order), run a <see cref="TransformerEncoder"/> (the released uses layers − 2 layers)
/// and keep the first token, the "prediction token" of paper Eq. 2 (computed alone in the last layer,
/// <see cref="TransformerEncoder.ForwardFirstToken"/>). <c>[B, T_i, d]</c> × M → <c>[B, d]</c>.
/// </summary>
public sealed class SequenceFusion : Module<Tensor[], Tensor>
{
    private readonly TransformerEncoder transformer;

    /// <summary>Fusion through <paramref name="transformer"/>.</summary>
    public SequenceFusion(TransformerEncoder transformer) : base(nameof(SequenceFusion))
    {
        this.transformer = transformer;
        RegisterComponents();
    }

    /// <summary>[h_1..h_M], each <c>[B, T_i, d]</c> → token 0 of the fused sequence, <c>[B, d]</c>.</summary>
    public override Tensor forward(Tensor[] features)
    {
        if (features.Length == 0) throw new ArgumentException("Fusion needs at least one feature sequence.", nameof(features));
        long batch = features[0].shape[0];
        for (int i = 0; i < features.Length; i++)
            if (features[i].dim() != 3 || features[i].shape[0] != batch || features[i].shape[2] != transformer.Dim)
                throw new ArgumentException($"Fusion expects every feature as [B, T_i, {transformer.Dim}] with the same B = {batch}; feature {i} is [{string.Join(", ", features[i].shape)}].", nameof(features));
        return transformer.ForwardFirstToken(torch.cat(features, 1));
    }
}
