using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>
/// Per-step quantities a balancing method reports, held as device tensors until the end of the step, when the trainer
/// copies all of them to the host in one transfer. Vectors have one entry per modality.
/// </summary>
public sealed class StepDiagnostics
{
    /// <summary>ε_i^t: each modality classifier's utilization metric on this batch (paper Eq. 5–6).</summary>
    public Tensor? Utilization { get; set; }

    /// <summary>Δε_i^t = ε_i^t − ε_i^{t−1} (paper Eq. 6).</summary>
    public Tensor? DeltaUtilization { get; set; }

    /// <summary>B_i^t, the factor applied to encoder i's gradient (paper Eq. 7–8).</summary>
    public Tensor? Coefficients { get; set; }

    /// <summary>The cosine terms of the direction loss: sim(fusion side, classifier i side) (paper Eq. 11–12).</summary>
    public Tensor? Cosine { get; set; }

    /// <summary>Each modality classifier's loss 𝓛(f_i(h_i), y) on this batch (Fig. 6).</summary>
    public Tensor? ClassifierLoss { get; set; }

    /// <summary>𝓛_gm^t (paper Eq. 12), scalar.</summary>
    public Tensor? DirectionLoss { get; set; }

    /// <summary>Further named scalars or vectors a method reports (written to history as "name" or "name_modality").</summary>
    public Dictionary<string, Tensor> Extra { get; } = [];
}
