using Cggm.Models.Blocks;

namespace Cggm.Models;

/// <summary>
/// Sizes and options of <see cref="BratsDeepLab"/>. The defaults are the released <c>DeepLabMultiInput(output_stride=16,
/// num_classes=4)</c> with ResNet-101 (235.2 M parameters; its <see cref="SegModalityClassifier"/>s 5.2 M together).
/// </summary>
public sealed record BratsDeepLabOptions
{
    /// <summary>Backbone depth (the paper's: ResNet-101).</summary>
    public ResNetDepth Depth { get; init; } = ResNetDepth.ResNet101;

    /// <summary>Segmentation classes K (BraTS: background, NCR, ED, ET = 4).</summary>
    public int Classes { get; init; } = 4;

    /// <summary>Output stride of the backbone, 16 (released) or 8.</summary>
    public int OutputStride { get; init; } = 16;

    /// <summary>
    /// Dilations of ASPP's three 3×3 branches. Released: 2, 4, 6 at output stride 16 (its code comments out the standard
    /// DeepLab 6, 12, 18); at output stride 8 the released code uses 12, 24, 36.
    /// </summary>
    public IReadOnlyList<int> AsppDilations { get; init; } = [2, 4, 6];

    /// <summary>Base width W of the ResNet (stem and layer1 planes; 64 as released).</summary>
    public int BaseWidth { get; init; } = 64;

    /// <summary>ASPP output channels A (256).</summary>
    public int AsppChannels { get; init; } = 256;

    /// <summary>Channels R the decoder reduces the low-level features to (48).</summary>
    public int LowLevelReduction { get; init; } = 48;

    /// <summary>Channels C of the decoder's 3×3 convs (256).</summary>
    public int DecoderChannels { get; init; } = 256;

    /// <summary>Dropout after ASPP (0.5).</summary>
    public double AsppDropout { get; init; } = 0.5;

    /// <summary>Dropout after the decoder's first 3×3 conv (0.5).</summary>
    public double DecoderDropout { get; init; } = 0.5;

    /// <summary>Dropout after the decoder's second 3×3 conv (0.1).</summary>
    public double DecoderFinalDropout { get; init; } = 0.1;

    /// <summary>Throws when a size is out of range.</summary>
    public void Validate()
    {
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "Segmentation needs at least 2 classes.");
        if (OutputStride is not (16 or 8)) throw new ArgumentOutOfRangeException(nameof(OutputStride), OutputStride, "The output stride must be 16 or 8.");
        foreach (var (name, v) in new[] { (nameof(BaseWidth), BaseWidth), (nameof(AsppChannels), AsppChannels), (nameof(LowLevelReduction), LowLevelReduction), (nameof(DecoderChannels), DecoderChannels) })
            if (v < 1) throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive.");
        foreach (var (name, p) in new[] { (nameof(AsppDropout), AsppDropout), (nameof(DecoderDropout), DecoderDropout), (nameof(DecoderFinalDropout), DecoderFinalDropout) })
            if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} must be in [0, 1).");
    }
}
