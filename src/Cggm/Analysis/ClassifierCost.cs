using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Analysis;

/// <summary>
/// The cost of CGGM's classifiers on one model and batch (paper Table 8 and Appendix C): what they add by construction and
/// what they add, measured, to a training step.
/// </summary>
/// <param name="Footprint">Parameters, gradients and optimizer state of the classifiers (at the model size measured).</param>
/// <param name="Joint">Joint training: the step without classifiers.</param>
/// <param name="WithClassifiers">The same step plus the classifiers' own work: f_i(h_i.detach()), their loss, backward and
/// optimizer step, and ε (CGGM with ρ off and λ = 0, so nothing else of CGGM acts).</param>
/// <param name="Cggm">The whole CGGM step (the given variant: classifiers, B, encoder scaling, and 𝓛_gm — for the Paper variant a
/// double backward through the head's gradient).</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Device">Where it was measured ("cpu" here; the paper reports GPU memory).</param>
public sealed record ClassifierCostReport(ClassifierFootprint Footprint, StepCostMeasurement Joint, StepCostMeasurement WithClassifiers,
                                          StepCostMeasurement Cggm, int BatchSize, string Device)
{
    /// <summary>Extra seconds per step of the classifiers (median with − median without).</summary>
    public double ExtraSecondsPerStep => WithClassifiers.MedianSeconds - Joint.MedianSeconds;

    /// <summary>Extra seconds per step of the whole CGGM step over joint training.</summary>
    public double CggmExtraSecondsPerStep => Cggm.MedianSeconds - Joint.MedianSeconds;

    /// <summary>Extra peak resident bytes with the classifiers (null where not measured).</summary>
    public long? ExtraPeakBytes => WithClassifiers.PeakResidentBytes - Joint.PeakResidentBytes;

    /// <summary>Extra peak resident bytes of the whole CGGM step (null where not measured).</summary>
    public long? CggmExtraPeakBytes => Cggm.PeakResidentBytes - Joint.PeakResidentBytes;
}

/// <summary>
/// Measures <see cref="ClassifierCostReport"/>: the classifiers' footprint (<see cref="ClassifierFootprint"/>) and three
/// <see cref="StepCost"/> measurements on the same batch — joint training, joint training plus the classifiers, and CGGM —
/// each on a fresh model built from the same seed, in that order, so the peak-memory differences are the classifiers' and
/// CGGM's additions. Reusable by a benchmark command: it needs only a model factory, a task, a batch and the settings.
/// </summary>
public static class ClassifierCost
{
    /// <summary>
    /// Measures on <paramref name="batch"/> with <paramref name="trainer"/>'s optimizer and clip, and CGGM's
    /// <paramref name="cggm"/> options (its classifier optimizer and variant); <paramref name="steps"/> timed steps after
    /// <paramref name="warmup"/>, per measurement.
    /// </summary>
    public static ClassifierCostReport Measure(Func<MultimodalModel> createModel, LearningTask task, Batch batch, TrainerOptions trainer,
                                               CggmOptions cggm, int steps = 10, int warmup = 2, int seed = 0)
    {
        var device = trainer.Device is null ? Devices.Default : Devices.Decide(trainer.Device);
        var onDevice = new Batch(batch.Modalities.Select(m => m.to(device)).ToArray(), batch.Target.to(device));
        ClassifierFootprint? footprint = null;
        StepCostMeasurement Run(string label, Func<BalancingMethod> method)
        {
            Seeding.Everything(seed);
            using var model = createModel();
            model.to(device);
            footprint ??= ClassifierFootprint.Of(model, cggm.ClassifierOptimizer);
            using var m = method();
            return StepCost.Measure(label, model, task, m, onDevice, trainer, device, steps, warmup);
        }
        var joint = Run("joint training", () => new JointTraining());
        var classifiers = Run("joint + classifiers", () => CggmMethod.Create(cggm with { Rho = null, Lambda = 0 }));
        var full = Run(cggm.Variant == CggmVariant.Paper ? "CGGM (paper)" : "CGGM (reference)", () => CggmMethod.Create(cggm));
        return new ClassifierCostReport(footprint!, joint, classifiers, full, batch.Size, device.type.ToString().ToLowerInvariant());
    }
}
