namespace Cggm.Training;

/// <summary>Thrown when a step's loss is NaN or infinite; the run stops and its last checkpoint stays usable.</summary>
public sealed class NonFiniteLossException(int epoch, int step, int globalStep, double loss)
    : Exception($"The loss became {loss} at epoch {epoch}, step {step} (global step {globalStep}); training stopped. " +
                "The step's inputs and labels were finite and in range (every batch is checked as it is read), so the training diverged: " +
                "lower the learning rate or enable gradient clipping. The last checkpoint (if any) is from before this epoch.")
{
    /// <summary>0-based epoch of the bad step.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>0-based step within the epoch.</summary>
    public int Step { get; } = step;

    /// <summary>0-based step over the run.</summary>
    public int GlobalStep { get; } = globalStep;

    /// <summary>The non-finite value.</summary>
    public double Loss { get; } = loss;
}
