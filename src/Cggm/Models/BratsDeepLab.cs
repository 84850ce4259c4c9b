using Cggm.Data;
using Cggm.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>
/// The released BraTS 2021 model (<c>models/segmodel.py</c> <c>DeepLabMultiInput</c>; paper §4.1 and Appendix B): a
/// multi-input DeepLab v3+ (Chen et al., ECCV 2018) over 2-D slices of the four MRI modalities (flair, t1ce, t1, t2).
/// φ_i = <see cref="DeepLabEncoder"/> (a from-scratch 1-channel <see cref="ResNetBackbone"/> at output stride 16 plus
/// <see cref="Aspp"/> with dilations 2, 4, 6), h_i = [ASPP upsampled to 1/4 | layer1 features] <c>[B, A + L, H/4, W/4]</c>;
/// Ω = <see cref="DeepLabDecoder"/> over the M encoder outputs ("a few conv layers as fusion"); 𝓕 = <see cref="SegmentationHead"/>
/// (the decoder's last 1×1 conv and the bilinear upsampling to the input size). f_i = <see cref="SegModalityClassifier"/>.
/// Inputs <c>[B, 1, H, W]</c> per modality (H, W divisible by 4; 160×160 as released); output logits <c>[B, K, H, W]</c>.
/// Splitting the released decoder into Ω and 𝓕 at its last conv puts <c>decoder.last_conv.7.weight</c>, the weight the
/// released code compares, at <see cref="HeadOutputWeight"/>.
/// </summary>
public sealed class BratsDeepLab : MultimodalModel
{
    private readonly ModuleList<DeepLabEncoder> encoders;
    private readonly DeepLabDecoder fusion;
    private readonly SegmentationHead head;
    private readonly long _lowLevelChannels;

    /// <summary>Builds the model for <paramref name="inputs"/> (each an image modality <c>[C, H, W]</c>) with <paramref name="options"/>.</summary>
    public BratsDeepLab(IReadOnlyList<ModalityInfo> inputs, BratsDeepLabOptions? options = null) : base(nameof(BratsDeepLab), inputs)
    {
        Options = options ?? new BratsDeepLabOptions();
        Options.Validate();
        foreach (var m in inputs)
        {
            bool ok = m.Shape.Length == 3 && m.Shape[0] > 0 && m.Shape.Skip(1).All(s => s < 0 || (s > 0 && s % SegmentationHead.LowLevelStride == 0));
            if (!ok)
                throw new ArgumentException($"{GetName()} reads image modalities shaped [C, H, W] with H and W divisible by {SegmentationHead.LowLevelStride} (or −1); " +
                                            $"modality '{m.Name}' is [{string.Join(", ", m.Shape)}].", nameof(inputs));
        }
        var built = inputs.Select(m =>
        {
            var backbone = new ResNetBackbone(Options.Depth, m.Shape[0], Options.OutputStride, Options.BaseWidth);
            var aspp = new Aspp(backbone.OutputChannels, Options.AsppChannels, Options.AsppDilations, Options.AsppDropout);
            return new DeepLabEncoder(m.Name, m.Shape[0], backbone, aspp, Options.AsppChannels);
        }).ToArray();
        _lowLevelChannels = built[0].LowLevelChannels;
        encoders = new ModuleList<DeepLabEncoder>(built);
        fusion = new DeepLabDecoder(inputs.Count, Options.AsppChannels, _lowLevelChannels, Options.LowLevelReduction, Options.DecoderChannels,
                                    Options.DecoderDropout, Options.DecoderFinalDropout);
        head = new SegmentationHead(Options.DecoderChannels, Options.Classes);
        RegisterComponents();
    }

    /// <summary>The sizes and options.</summary>
    public BratsDeepLabOptions Options { get; }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Encoder(int modality) => encoders[modality];

    /// <inheritdoc />
    public override nn.Module<Tensor[], Tensor> Fusion => fusion;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Head => head;

    /// <inheritdoc />
    public override Parameter HeadOutputWeight => head.OutputWeight;

    /// <inheritdoc />
    public override ModalityClassifier CreateModalityClassifier(int modality) =>
        new SegModalityClassifier(Options.AsppChannels, _lowLevelChannels, Options.LowLevelReduction, Options.DecoderChannels, Options.Classes,
                                  Options.DecoderDropout, Options.DecoderFinalDropout);
}
