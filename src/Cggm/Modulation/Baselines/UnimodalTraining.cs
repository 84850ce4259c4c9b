using Cggm.Models;
using Cggm.Training;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// Unimodal training, the paper's per-modality rows: the same model trained and evaluated on one modality only. The
/// other modalities' features are replaced by zeros before fusion, so only encoder <see cref="Modality"/>, the fusion and
/// the head learn, and inference sees the same masking.
/// </summary>
public sealed class UnimodalTraining(int modality) : BalancingMethod
{
    /// <summary>The modality kept.</summary>
    public int Modality { get; } = modality;

    /// <inheritdoc />
    public override string Name => MethodNames.UnimodalOn(Modality);

    /// <inheritdoc />
    public override object? Options => new { modality = Modality };

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        if (Modality < 0 || Modality >= context.Model.ModalityCount)
            throw new ArgumentOutOfRangeException(nameof(Modality), Modality, $"The model has modalities 0..{context.Model.ModalityCount - 1}.");
        base.Attach(context);
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step) => Masked(step.Batch.Modalities);

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs) => Masked(inputs);

    private MultimodalOutput Masked(Tensor[] inputs)
    {
        var model = Context.Model;
        model.ValidateInputs(inputs);
        var features = new Tensor[model.ModalityCount];
        for (int i = 0; i < features.Length; i++)
        {
            if (i == Modality) { features[i] = model.Encoder(i).call(inputs[i]); continue; }
            using var _ = no_grad();
            features[i] = zeros_like(model.Encoder(i).call(inputs[i]));
        }
        return model.FromFeatures(features);
    }
}
