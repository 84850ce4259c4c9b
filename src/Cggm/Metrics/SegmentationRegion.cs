using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>A tumour region scored by Dice: the set of label values it contains.</summary>
/// <param name="Name">"WT", "TC" or "ET" for BraTS.</param>
/// <param name="Labels">Class indices that belong to the region.</param>
public sealed record SegmentationRegion(string Name, int[] Labels)
{
    /// <summary>BraTS regions after the 4 → 3 remap: ET = {3}, TC = {1, 3}, WT = {1, 2, 3}.</summary>
    public static IReadOnlyList<SegmentationRegion> Brats { get; } =
        [new("WT", [1, 2, 3]), new("TC", [1, 3]), new("ET", [3])];

    /// <summary>A float mask of <paramref name="labels"/>' shape, 1 where the label belongs to this region.</summary>
    public Tensor Mask(Tensor labels)
    {
        Tensor? mask = null;
        foreach (var l in Labels) mask = mask is null ? labels.eq(l) : mask.logical_or(labels.eq(l));
        return mask!.to(ScalarType.Float32);
    }
}
