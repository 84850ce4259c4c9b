using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// The last layer of the released DeepLab decoder (<c>last_conv.7</c>: 1×1 conv C → K with bias, Kaiming-normal weight) and the
/// bilinear (align_corners) upsampling of its logits by the low-level stride 4 back to the input size. Its weight
/// <c>[K, C, 1, 1]</c> is what the direction term compares (<c>decoder.last_conv.7.weight</c>). <c>[B, C, h, w]</c> → <c>[B, K, 4h, 4w]</c>.
/// </summary>
public sealed class SegmentationHead : Module<Tensor, Tensor>
{
    /// <summary>Stride of the low-level features relative to the input (the ResNet stem: conv /2, max-pool /2).</summary>
    public const int LowLevelStride = 4;

    private readonly Conv2d classifier;

    /// <summary>A head from <paramref name="channels"/> to <paramref name="classes"/> logits.</summary>
    public SegmentationHead(long channels, long classes) : base(nameof(SegmentationHead))
    {
        Channels = channels;
        classifier = Conv2d(channels, classes, 1);
        RegisterComponents();
        using (no_grad()) init.kaiming_normal_(classifier.weight!);
    }

    /// <summary>Input channels C.</summary>
    public long Channels { get; }

    /// <summary>The 1×1 conv's weight <c>[K, C, 1, 1]</c>.</summary>
    public Parameter OutputWeight => classifier.weight!;

    /// <summary><c>[B, C, h, w]</c> → logits <c>[B, K, 4h, 4w]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Channels)
            throw new ArgumentException($"The segmentation head expects [B, {Channels}, h, w]; got [{string.Join(", ", x.shape)}].", nameof(x));
        var logits = classifier.call(x);
        return functional.interpolate(logits, size: [x.shape[2] * LowLevelStride, x.shape[3] * LowLevelStride], mode: InterpolationMode.Bilinear, align_corners: true);
    }
}
