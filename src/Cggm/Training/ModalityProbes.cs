using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>
/// Passive modality classifiers for methods that have none: trained each step on the detached encoder features with
/// their own optimizer, they change nothing in the model and let every run record ε_i (per-modality accuracy, Fig. 2a)
/// and sim(∇W_𝓕 𝓛, ∇W_{f_i} 𝓛) (modality-vs-fusion gradient cosine, Fig. 2c), the same way CGGM measures them.
/// </summary>
internal sealed class ModalityProbes(ModalityClassifierSet set) : IDisposable
{
    public ModalityClassifierSet Set { get; } = set;

    /// <summary>Trains the probes on this step's features and records ε and the gradient cosines. Call after backward.</summary>
    public void Observe(StepState step, Tensor headOutputGradient)
    {
        var pass = Set.Train(step.Output!.Features, step.Batch.Target);
        step.Diagnostics.Utilization ??= pass.Utilization;
        step.Diagnostics.ClassifierLoss ??= pass.Losses;
        step.Diagnostics.Cosine ??= stack(Enumerable.Range(0, Set.Classifiers.Count)
            .Select(i => GradientTools.Cosine(headOutputGradient, Set.OutputGradient(i))).ToArray());
        Set.Step();
    }

    public void Dispose() => Set.Dispose();
}
