using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// The audio-visual digits experiment (<see cref="AvDigits"/>, <see cref="AvDigitsNet"/>). Not a dataset of the paper: these
/// are the kit's own settings, chosen to follow the paper's classification settings where they apply — Adam 1e-3, batch 64,
/// gradient clip 0.8, CGGM ρ = 1.2, λ = 0.2 with Adam 5e-4 classifiers (IEMOCAP, the paper's other 10-way-or-fewer
/// classification with two or more modalities trained from scratch) — with a constant learning rate and a reshuffled
/// training set each epoch (i.i.d. batches; the released loaders never shuffle).
/// </summary>
public sealed record AvDigitsSettings : PaperSettings
{
    /// <inheritdoc />
    public override string Dataset => AvDigits.DatasetName;

    /// <summary>Training epochs of the Paper profile (20; the Quick profile runs 8).</summary>
    public override int Epochs { get; init; } = 20;

    /// <summary>64.</summary>
    public override int BatchSize { get; init; } = 64;

    /// <summary>Adam, lr 1e-3.</summary>
    public override OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.Adam, 1e-3);

    /// <summary>Constant.</summary>
    public override LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.Constant();

    /// <summary>0.8, as the paper's MOSI, IEMOCAP and Food-101 runs.</summary>
    public override double? ClipNorm { get; init; } = 0.8;

    /// <summary>ρ = 1.2, λ = 0.2, classifiers Adam 5e-4 (the released IEMOCAP values).</summary>
    public override CggmOptions Cggm { get; init; } = new() { Rho = 1.2, Lambda = 0.2, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-4) };

    /// <summary>The model's sizes.</summary>
    public AvDigitsNetOptions Model { get; init; } = new();

    /// <summary>Creates the settings with the training set reshuffled every epoch.</summary>
    public AvDigitsSettings() => ShuffleTrain = true;

    /// <inheritdoc />
    public override LearningTask CreateTask() => new ClassificationTask(AvDigits.Classes);

    /// <inheritdoc />
    public override MultimodalModel CreateModel(IMultimodalDataset data)
    {
        RequireClasses(data, Model.Classes);
        return new AvDigitsNet(data.Modalities, Model);
    }
}
