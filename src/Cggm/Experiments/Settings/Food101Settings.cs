using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// UPMC-Food 101 (paper §4.1: 101 classes, image + text through frozen ViT-B/16 and BERT-base, AdamW), released
/// <c>run/food_run.py</c> and <c>src/foodtrain.py</c>: <see cref="SequenceTransformer"/> over token features.
/// </summary>
public sealed record Food101Settings : PaperSettings
{
    /// <inheritdoc />
    public override string Dataset => Food101Features.DatasetName;

    /// <summary>60 epochs.</summary>
    public override int Epochs { get; init; } = 60;

    /// <summary>128.</summary>
    public override int BatchSize { get; init; } = 128;

    /// <summary>AdamW, lr 1e-3, weight decay 6e-3 (paper: AdamW; the decay is hard-coded in <c>foodtrain.py</c> l.36).</summary>
    public override OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.AdamW, 1e-3, WeightDecay: 6e-3);

    /// <summary>ReduceLROnPlateau, patience 10, factor 0.1.</summary>
    public override LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.ReduceOnPlateau(Patience: 10, Factor: 0.1);

    /// <summary>0.8.</summary>
    public override double? ClipNorm { get; init; } = 0.8;

    /// <summary>ρ = 1.3, λ = 0.05; classifiers AdamW, lr 5e-4, weight decay 3e-3 (<c>foodtrain.py</c> l.21).</summary>
    public override CggmOptions Cggm { get; init; } = new()
    {
        Rho = 1.3, Lambda = 0.05, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.AdamW, 5e-4, WeightDecay: 3e-3),
    };

    /// <summary>The released Food model with the per-modality projection fixed (<see cref="TransformerModelOptions.SharedProjectionBug"/> off).</summary>
    public TransformerModelOptions Model { get; init; } = TransformerModelOptions.Food101;

    /// <inheritdoc />
    public override LearningTask CreateTask() => new ClassificationTask(Model.Outputs);

    /// <inheritdoc />
    public override MultimodalModel CreateModel(IMultimodalDataset data)
    {
        // raw image–text pairs (Food101Raw) are read for inspection; the model trains on the token features extracted from them
        if (data.Modalities.Any(m => m.Shape.Length != 2))
        {
            var root = (data as Food101Raw)?.Index.Root ?? "<the Food-101 folder>";
            throw new DatasetFileException(DataProblem.Missing, Path.Combine(root, "features", "index.json"),
                $"no token features, only raw image–text pairs ({string.Join(", ", data.Modalities.Select(m => $"{m.Name} [{string.Join(", ", m.Shape)}]"))})",
                "the ViT/BERT token features the Food-101 model trains on",
                $"extract them once with python3 data-scripts/food101/extract_features.py --root {DataPreparation.Quote(root)} (a machine with a GPU, PyTorch and transformers; 'cggm data prepare food101' says the same), then train again");
        }
        RequireClasses(data, Model.Outputs);
        return new SequenceTransformer(data.Modalities, Model);
    }
}
