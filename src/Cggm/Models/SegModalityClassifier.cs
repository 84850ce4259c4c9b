using Cggm.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>
/// f_i of the BraTS model (released <c>SegClassifier</c>, one of its four <c>decoder{i}</c>; paper Eq. 5: "for segmentation,
/// f_i is a light decoder"): a single-input <see cref="DeepLabDecoder"/> (low-level 1×1 → 48, then 3×3 convs over 256 + 48
/// channels) and a <see cref="SegmentationHead"/>, whose 1×1 conv has the shape of the model's. The released code upsamples
/// to a fixed 160×160; here the logits are upsampled ×4 from the features, which is the input size (160×160 for 160 inputs).
/// h_i <c>[B, A + L, h, w]</c> → <c>[B, K, 4h, 4w]</c>.
/// </summary>
public sealed class SegModalityClassifier : ModalityClassifier
{
    private readonly DeepLabDecoder decoder;
    private readonly SegmentationHead head;

    /// <summary>A classifier over encoder outputs with <paramref name="asppChannels"/> + <paramref name="lowLevelChannels"/> channels.</summary>
    public SegModalityClassifier(long asppChannels, long lowLevelChannels, long reduction, long channels, long classes, double dropout1, double dropout2)
        : base(nameof(SegModalityClassifier))
    {
        decoder = new DeepLabDecoder(1, asppChannels, lowLevelChannels, reduction, channels, dropout1, dropout2);
        head = new SegmentationHead(channels, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Parameter OutputWeight => head.OutputWeight;

    /// <summary>h_i <c>[B, A + L, h, w]</c> → logits <c>[B, K, 4h, 4w]</c>.</summary>
    public override Tensor forward(Tensor h) => head.call(decoder.call([h]));
}
