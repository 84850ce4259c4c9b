namespace Cggm.Training;

/// <summary>Metrics of one evaluation pass.</summary>
/// <param name="Loss">Mean task loss.</param>
/// <param name="Metrics">Metrics of the fused prediction.</param>
/// <param name="PerModality">Metrics of each modality classifier f_i (empty when the run has none).</param>
public sealed record EvaluationResult(double Loss, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<IReadOnlyDictionary<string, double>> PerModality);

/// <summary>The outcome of <see cref="Trainer.Fit"/>: the best epoch chosen on validation and its test metrics.</summary>
public sealed record TrainingResult
{
    /// <summary>Method name.</summary>
    public required string Method { get; init; }

    /// <summary>The run's seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Per-step and per-epoch history.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>The epoch with the best validation <see cref="Tasks.LearningTask.Selection"/> metric.</summary>
    public required int BestEpoch { get; init; }

    /// <summary>Validation metrics at the best epoch.</summary>
    public required EvaluationResult Valid { get; init; }

    /// <summary>Test metrics of the best epoch's model and classifiers.</summary>
    public required EvaluationResult Test { get; init; }

    /// <summary>Wall-clock seconds of the whole fit (this process only, when resumed).</summary>
    public required double Seconds { get; init; }

    /// <summary>The run folder, when the run wrote one.</summary>
    public string? RunDirectory { get; init; }
}
