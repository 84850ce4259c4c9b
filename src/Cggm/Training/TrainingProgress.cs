namespace Cggm.Training;

/// <summary>What a progress event reports.</summary>
public enum ProgressStage
{
    /// <summary>A training step finished.</summary>
    Step,

    /// <summary>An epoch finished (training and validation); <see cref="TrainingProgress.EpochSummary"/> is set.</summary>
    Epoch,

    /// <summary>The test evaluation of the best epoch finished.</summary>
    Test,

    /// <summary>The run resumed from its folder's <c>last.ckpt</c>: <see cref="TrainingProgress.Epoch"/> is the last epoch it had finished (reported before any step).</summary>
    Resumed,
}

/// <summary>A progress event of <see cref="Trainer.Fit"/>, delivered through <see cref="IProgress{T}"/>.</summary>
/// <param name="Stage">What happened.</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="Loss">The latest step loss (Step) or the epoch's mean loss (Epoch).</param>
/// <param name="EpochSummary">The epoch record (Epoch stage only).</param>
public sealed record TrainingProgress(ProgressStage Stage, int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, EpochRecord? EpochSummary = null)
{
    /// <summary>Fraction of the whole run done, in [0, 1].</summary>
    public double Fraction => Epochs == 0 ? 1 : Math.Min(1.0, (Epoch + (double)Step / Math.Max(1, StepsPerEpoch)) / Epochs);
}
