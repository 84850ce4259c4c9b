using System.Text.Json.Serialization;

namespace Cggm.Training;

/// <summary>Everything the trainer needs besides the model, task, method and data. Saved with every run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Training batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Evaluation batch size (defaults to <see cref="BatchSize"/>).</summary>
    public int? EvalBatchSize { get; init; }

    /// <summary>The main optimizer (encoders, fusion, head).</summary>
    public OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.Adam, 1e-3);

    /// <summary>The main optimizer's learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.Constant();

    /// <summary>Global gradient-norm clipping over the model, applied after the method's modulation (released code: 0.8 for MOSI, IEMOCAP, Food; none for BraTS).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Shuffle the training set each epoch. The released CGGM code never shuffles.</summary>
    public bool ShuffleTrain { get; init; } = true;

    /// <summary>Drop the last incomplete training batch.</summary>
    public bool DropLast { get; init; }

    /// <summary>The run's seed (data order; weights are seeded by the caller through <see cref="Seeding.Everything"/>).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Attach passive modality classifiers (trained on detached features with <see cref="ProbeOptimizer"/>) when the method
    /// has none, so per-modality accuracy and modality-vs-fusion gradient cosines are recorded for every method.
    /// </summary>
    public bool ModalityProbes { get; init; } = true;

    /// <summary>Optimizer of the passive probes (the paper's classifier optimizer by default).</summary>
    public OptimizerSpec ProbeOptimizer { get; init; } = new(OptimizerKind.Adam, 5e-4);

    /// <summary>Record each encoder's gradient norm at every step.</summary>
    public bool RecordGradientNorms { get; init; } = true;

    /// <summary>Run folder for config, history, metrics and checkpoints; null keeps everything in memory.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Continue from the run folder's last checkpoint when one exists.</summary>
    public bool Resume { get; init; }

    /// <summary>Device name ("cpu", "cuda", "cuda:1"); null uses <see cref="Devices.Default"/>.</summary>
    public string? Device { get; init; }

    /// <summary>The evaluation batch size in use.</summary>
    [JsonIgnore]
    public int EffectiveEvalBatchSize => EvalBatchSize ?? BatchSize;
}
