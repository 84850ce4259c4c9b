using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// UME — Uni-Modal Ensemble (Du, Teng, Li, Liu, Yuan, Wang, Yuan, Zhao, "On Uni-Modal Feature Learning in Supervised
/// Multi-Modal Learning", ICML 2023). Each modality is a separate unimodal model, the encoder φ_m with its own head f_m,
/// trained on 𝓛(f_m(φ_m(x_m)), y) alone; the prediction is the average of their outputs, ŷ = (1/M)·Σ_m f_m(h_m).
/// <para>Route: auxiliary heads f_m built with <see cref="MultimodalModel.CreateModalityClassifier"/> (the paper's
/// unimodal models have their own heads); the model's fusion and head are not used. All unimodal models train in the same
/// step on the same batch, which is the same as training them one after another: nothing is shared (each group
/// encoder m + head m gets its own gradient-norm clipping when the run clips), the optimizer is per-parameter. The best
/// epoch is chosen by the ensemble's validation score (the paper selects each unimodal model separately). The heads use
/// the run's optimizer settings with their own optimizer at the base rate. Defined for every task kind; the outputs are
/// averaged as they are (logits, values or per-pixel logits).</para>
/// </summary>
public sealed class UniModalEnsemble : BalancingMethod
{
    private ModalityClassifierSet? _heads;

    /// <inheritdoc />
    public override string Name => MethodNames.Ume;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _heads;

    /// <inheritdoc />
    public override bool OwnsStep => true;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _heads = new ModalityClassifierSet(context.Model, context.Task, context.Options.Optimizer, context.Device);
    }

    /// <summary>ŷ = (1/M)·Σ_m ŷ_m.</summary>
    public static Tensor Ensemble(IReadOnlyList<Tensor> predictions) => torch.stack(predictions.ToArray()).mean([0L]);

    /// <inheritdoc />
    public override void TrainStep(StepState step)
    {
        var model = Context.Model;
        var heads = _heads!.Classifiers;
        Context.Optimizer.zero_grad();
        foreach (var h in heads) h.zero_grad();
        var features = model.Encode(step.Batch.Modalities);
        var predictions = features.Select((h, m) => heads[m].call(h)).ToArray();
        foreach (var p in predictions) Context.Task.Validate(p, step.Batch.Target);
        var losses = predictions.Select(p => Context.Task.Loss(p, step.Batch.Target)).ToArray();
        var ensemble = Ensemble(predictions);
        step.Output = new MultimodalOutput(ensemble, features, ensemble);
        step.TaskLoss = Context.Task.Loss(ensemble, step.Batch.Target);
        step.Loss = losses.Aggregate((a, b) => a + b);
        step.Loss.backward();
        Context.RecordGradientNorms(step, modulated: false);
        if (Context.Options.ClipNorm is { } clip)
            for (int m = 0; m < heads.Count; m++)
                nn.utils.clip_grad_norm_(Context.EncoderParameters[m].Concat(heads[m].parameters()).ToArray(), clip);
        step.Diagnostics.Extra["unimodal_loss"] = torch.stack(losses.Select(l => l.detach()).ToArray());
        Context.Optimizer.step();
        _heads.Step();
    }

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs)
    {
        var features = Context.Model.Encode(inputs);
        var predictions = _heads!.Predict(features);
        var ensemble = Ensemble(predictions);
        return new MultimodalOutput(ensemble, features, ensemble);
    }
}
