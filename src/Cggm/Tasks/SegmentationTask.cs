using Cggm.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tasks;

/// <summary>
/// Per-pixel segmentation (BraTS 2021). Loss = <see cref="CeWeight"/>·CE_w + <see cref="DiceWeight"/>·(1 − soft Dice over
/// classes 1..C−1 pooled over the batch, smooth 0.01), as the released <c>SegLoss</c>; the paper (Appendix B) states
/// 𝓛_Dice + 1·𝓛_CE, i.e. weights (1, 1), the released code uses (0.5, 0.5). ε = mean over regions of per-sample Dice
/// (eps 1e-3), the released <c>train_eval_seg</c>. Predictions are logits <c>[B, C, H, W]</c>; targets <c>[B, H, W]</c>.
/// </summary>
public sealed class SegmentationTask : LearningTask
{
    private readonly float[] _classWeights;

    /// <summary>A segmentation task; <paramref name="classWeights"/> defaults to the paper's [0.2, 0.3, 0.25, 0.25] for 4 classes.</summary>
    public SegmentationTask(int classes = 4, float[]? classWeights = null, double ceWeight = 1.0, double diceWeight = 1.0,
                            IReadOnlyList<SegmentationRegion>? regions = null)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Segmentation needs at least 2 classes (background and one more).");
        _classWeights = classWeights ?? (classes == 4 ? [0.2f, 0.3f, 0.25f, 0.25f] : Enumerable.Repeat(1f / classes, classes).ToArray());
        if (_classWeights.Length != classes)
            throw new ArgumentException($"{_classWeights.Length} class weights given for {classes} classes.", nameof(classWeights));
        Classes = classes;
        CeWeight = ceWeight;
        DiceWeight = diceWeight;
        Regions = regions ?? SegmentationRegion.Brats;
        foreach (var r in Regions)
            if (r.Labels.Any(l => l < 1 || l >= classes))
                throw new ArgumentException($"Region {r.Name} names labels outside 1..{classes - 1}.", nameof(regions));
    }

    /// <summary>Number of classes C, background included.</summary>
    public int Classes { get; }

    /// <summary>Weight of the class-weighted cross-entropy term.</summary>
    public double CeWeight { get; }

    /// <summary>Weight of the soft-Dice term.</summary>
    public double DiceWeight { get; }

    /// <summary>The regions scored by Dice.</summary>
    public IReadOnlyList<SegmentationRegion> Regions { get; }

    /// <inheritdoc />
    public override string Kind => "segmentation";

    /// <inheritdoc />
    public override string UtilizationName => "mean dice";

    /// <inheritdoc />
    public override SelectionMetric Selection { get; } = new("dice_avg", HigherIsBetter: true);

    /// <inheritdoc />
    public override Tensor Loss(Tensor prediction, Tensor target)
    {
        using var weight = torch.tensor(_classWeights, device: prediction.device);
        var ce = nn.functional.cross_entropy(prediction, target, weight: weight);
        var probs = nn.functional.softmax(prediction, 1).narrow(1, 1, Classes - 1);
        var onehot = nn.functional.one_hot(target, Classes).permute(0, 3, 1, 2).narrow(1, 1, Classes - 1).to(probs.dtype);
        var dice = 2.0 * (probs * onehot).sum() / (probs.sum() + onehot.sum() + 0.01);
        return CeWeight * ce + DiceWeight * (1.0 - dice);
    }

    /// <inheritdoc />
    public override Tensor Utilization(Tensor prediction, Tensor target)
    {
        using var _ = no_grad();
        var labels = prediction.argmax(1);
        // (Dice(ET) + Dice(TC) + Dice(WT)) / 3, summed in that order as the released train_eval_seg does.
        Tensor? sum = null;
        foreach (var r in Regions.Reverse()) { var d = DiceScore.PerSample(r.Mask(labels), r.Mask(target)).mean(); sum = sum is null ? d : sum + d; }
        return sum! / Regions.Count;
    }

    /// <summary>Float32: the released <c>train_eval_seg</c> returns float32 tensors and CGGM's coefficients are computed on them.</summary>
    public override ScalarType UtilizationType => ScalarType.Float32;

    /// <inheritdoc />
    public override MetricAccumulator CreateMetrics() => new SegmentationMetrics(Regions);

    /// <inheritdoc />
    public override void Validate(Tensor prediction, Tensor target)
    {
        RequireSameBatch(prediction, target);
        if (prediction.dim() != 4 || prediction.shape[1] != Classes || target.dim() != 3 ||
            prediction.shape[2] != target.shape[1] || prediction.shape[3] != target.shape[2])
            throw new ArgumentException($"Segmentation with {Classes} classes expects logits [B, {Classes}, H, W] and labels [B, H, W]; got {Shape(prediction)} and {Shape(target)}.");
    }
}
