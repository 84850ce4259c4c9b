using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>
/// Dice per region ("dice_wt", "dice_tc", "dice_et" for BraTS) averaged over samples, and their mean "dice_avg"
/// (the paper's Table 3 columns). Predictions are logits <c>[B, C, H, W]</c>, arg-maxed per pixel.
/// </summary>
public sealed class SegmentationMetrics(IReadOnlyList<SegmentationRegion> regions) : MetricAccumulator
{
    private readonly double[] _sums = new double[regions.Count];
    private int _count;

    /// <inheritdoc />
    public override int Count => _count;

    /// <inheritdoc />
    public override void Add(Tensor prediction, Tensor target)
    {
        using var scope = NewDisposeScope();
        var labels = prediction.argmax(1);
        for (int r = 0; r < regions.Count; r++)
            _sums[r] += DiceScore.PerSample(regions[r].Mask(labels), regions[r].Mask(target)).sum().item<float>();
        _count += (int)prediction.shape[0];
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> Compute()
    {
        var result = new Dictionary<string, double>();
        for (int r = 0; r < regions.Count; r++) result["dice_" + regions[r].Name.ToLowerInvariant()] = _sums[r] / _count;
        result["dice_avg"] = _sums.Sum() / regions.Count / _count;
        return result;
    }
}
