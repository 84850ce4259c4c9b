using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// φ_i of the BraTS model: one modality's <see cref="ResNetBackbone"/> and <see cref="Aspp"/>. The released forward returns
/// the ASPP output (1/16 size) and the low-level features (1/4 size) separately and its decoder bilinearly upsamples the
/// ASPP output (align_corners) to the low-level size before anything else; here the encoder does that upsampling and returns
/// both on one tensor, [ASPP | low-level] on channels, because <see cref="MultimodalModel.Encoder"/> returns one tensor.
/// The decoder's result is the same. <c>[B, C, H, W]</c> (H, W divisible by 4) → h_i <c>[B, A + L, H/4, W/4]</c>.
/// </summary>
public sealed class DeepLabEncoder : Module<Tensor, Tensor>
{
    private readonly ResNetBackbone backbone;
    private readonly Aspp aspp;

    /// <summary>An encoder over <paramref name="inputChannels"/>-channel slices; ASPP width <paramref name="asppChannels"/>.</summary>
    public DeepLabEncoder(string name, long inputChannels, ResNetBackbone backbone, Aspp aspp, long asppChannels) : base(name)
    {
        InputChannels = inputChannels;
        AsppChannels = asppChannels;
        this.backbone = backbone;
        this.aspp = aspp;
        RegisterComponents();
    }

    /// <summary>Input channels C.</summary>
    public long InputChannels { get; }

    /// <summary>ASPP channels A.</summary>
    public long AsppChannels { get; }

    /// <summary>Low-level channels L.</summary>
    public long LowLevelChannels => backbone.LowLevelChannels;

    /// <summary><c>[B, C, H, W]</c> → <c>[B, A + L, H/4, W/4]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != InputChannels || x.shape[2] % SegmentationHead.LowLevelStride != 0 || x.shape[3] % SegmentationHead.LowLevelStride != 0)
            throw new ArgumentException($"Encoder '{GetName()}' expects slices [B, {InputChannels}, H, W] with H and W divisible by {SegmentationHead.LowLevelStride}; " +
                                        $"got [{string.Join(", ", x.shape)}]. Crop or pad the slices (the released pipeline uses 160×160).", nameof(x));
        var (high, low) = backbone.call(x);
        var context = functional.interpolate(aspp.call(high), size: [low.shape[2], low.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true);
        return torch.cat([context, low], 1);
    }
}
