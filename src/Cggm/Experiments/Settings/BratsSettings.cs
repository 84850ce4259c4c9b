using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// BraTS 2021 (paper §4.1 and Appendix B: 2-D slices of flair, t1ce, t1, t2; SGD; lr warm-up 4e-4 → 1e-2, final 1e-3;
/// Dice + weighted CE), released <c>run/brats_run.py</c> and <c>src/segtrain.py</c>: <see cref="BratsDeepLab"/> with ResNet-101.
/// </summary>
public sealed record BratsSettings : PaperSettings
{
    /// <inheritdoc />
    public override string Dataset => Brats2021.DatasetName;

    /// <summary>75 epochs.</summary>
    public override int Epochs { get; init; } = 75;

    /// <summary>64.</summary>
    public override int BatchSize { get; init; } = 64;

    /// <summary>SGD, base lr 0.01, momentum 0.9, weight decay 3e-4.</summary>
    public override OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.Sgd, 0.01, WeightDecay: 3e-4, Momentum: 0.9);

    /// <summary>Per-iteration linear warm-up from 4e-4 over 10 epochs, then cosine to 1e-3 (the released <c>cosine_scheduler</c>).</summary>
    public override LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.WarmupCosine(WarmupStart: 4e-4, Final: 1e-3, WarmupEpochs: 10);

    /// <summary>None: <c>segtrain.py</c> never clips (its <c>--clip 0.8</c> is unused).</summary>
    public override double? ClipNorm { get; init; }

    /// <summary>
    /// ρ = 1.0, λ = 0.1; classifiers SGD lr 6e-3, momentum 0.9, weight decay 3e-4 (constant). Note: in the released BraTS
    /// trainer the magnitude scaling matches no parameter name (it looks for <c>vision_encoder</c>/<c>text_encoder</c>), so only
    /// the direction term acts there; here B scales each encoder as the paper describes. <c>Cggm with { Rho = null }</c>
    /// reproduces the released behaviour.
    /// </summary>
    public override CggmOptions Cggm { get; init; } = new()
    {
        Rho = 1.0, Lambda = 0.1, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.Sgd, 6e-3, WeightDecay: 3e-4, Momentum: 0.9),
    };

    /// <summary>The released model: ResNet-101, output stride 16, ASPP dilations 2, 4, 6, 4 classes.</summary>
    public BratsDeepLabOptions Model { get; init; } = new();

    /// <summary>
    /// Weight of the class-weighted cross-entropy (weights 0.2, 0.3, 0.25, 0.25): 0.5, as the released <c>SegLoss</c>
    /// ((1 − α)·CE + α·(1 − Dice), α = 0.5). The paper writes 𝓛_Dice + 1·𝓛_CE: the same 1 : 1 ratio at twice the scale.
    /// With plain SGD the scale acts like the learning rate, and the released learning rates were tuned with 0.5/0.5, so we keep it.
    /// </summary>
    public double CeWeight { get; init; } = 0.5;

    /// <summary>Weight of the soft-Dice loss: 0.5, see <see cref="CeWeight"/>.</summary>
    public double DiceWeight { get; init; } = 0.5;

    /// <inheritdoc />
    public override LearningTask CreateTask() => new SegmentationTask(Model.Classes, ceWeight: CeWeight, diceWeight: DiceWeight);

    /// <inheritdoc />
    public override MultimodalModel CreateModel(IMultimodalDataset data)
    {
        RequireClasses(data, Model.Classes);
        return new BratsDeepLab(data.Modalities, Model);
    }
}
