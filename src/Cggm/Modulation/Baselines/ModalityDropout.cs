using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="ModalityDropout"/>.</summary>
public sealed record ModalityDropoutOptions : IMethodOptions
{
    /// <summary>
    /// p: the probability that one modality of one sample is dropped in a training step. The CGGM paper names MRD without a
    /// citation or a value; 0.5 is our choice (with M = 2 a sample then trains on both modalities half of the time and on
    /// each single one a quarter of the time).
    /// </summary>
    public double Probability { get; init; } = 0.5;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate() => MethodRequirements.Option(Probability is >= 0 and < 1, nameof(Probability), Probability, "a probability in [0, 1)");
}

/// <summary>
/// MRD — Modality Random Dropout, the CGGM paper's baseline of that name (no citation given there; the rule is ModDrop,
/// Neverova et al., TPAMI 2016, applied to encoder features). In every training step each modality of each sample is
/// dropped independently with probability p: its feature is replaced by zeros before fusion,
/// h̃_i^n = κ_i^n · h_i^n, κ_i^n ~ Bernoulli(1 − p), and a sample whose modalities were all dropped keeps all of them
/// (κ^n ← 1), so every sample still has a target to fit. Evaluation uses every modality (κ = 1). No rescaling by 1/(1 − p)
/// is applied. Defined for every task kind and any M ≥ 2.
/// </summary>
public sealed class ModalityDropout : BalancingMethod<ModalityDropoutOptions>
{
    /// <summary>MRD with <paramref name="options"/>.</summary>
    public ModalityDropout(ModalityDropoutOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Mrd;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        var model = Context.Model;
        var features = model.Encode(step.Batch.Modalities);
        var keep = Mask(torch.rand(step.Batch.Size, features.Length, device: Context.Device), Hyperparameters.Probability);
        var dropped = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var shape = new long[features[i].dim()];
            Array.Fill(shape, 1L);
            shape[0] = -1;
            dropped[i] = features[i] * keep.select(1, i).to(features[i].dtype).reshape(shape);
        }
        step.Diagnostics.Extra["kept"] = keep.to(ScalarType.Float32).mean(dimensions: [0L]);
        var output = model.FromFeatures(dropped);
        return output with { Features = features };
    }

    /// <summary>
    /// κ from uniform draws u <c>[B, M]</c>: κ_i^n = [u_i^n ≥ p], and rows with no kept modality are set to all-kept.
    /// Returns a boolean <c>[B, M]</c>.
    /// </summary>
    public static Tensor Mask(Tensor uniform, double probability)
    {
        var keep = uniform.ge(probability);
        var none = keep.any(1, keepdim: true).logical_not();
        return keep.logical_or(none);
    }
}
