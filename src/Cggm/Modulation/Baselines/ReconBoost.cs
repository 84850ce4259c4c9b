using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="ReconBoost"/>.</summary>
public sealed record ReconBoostOptions : IMethodOptions
{
    /// <summary>Epochs of phase 1 (one modality's learner) per stage (released <c>--epochs_per_stage</c> 4).</summary>
    public int EpochsPerStage { get; init; } = 4;

    /// <summary>Epochs of phase 2, the global rectification of the whole ensemble, per stage (released <c>--correct_epoch</c> 4).</summary>
    public int CorrectionEpochs { get; init; } = 4;

    /// <summary>w₁, the weight of the learner's own cross-entropy (released <c>--weight1</c> 5; MSA script 1).</summary>
    public double Weight1 { get; init; } = 5;

    /// <summary>w₂, the weight of the reconcilement term (released <c>--weight2</c> 1; MSA script 0.25).</summary>
    public double Weight2 { get; init; } = 1;

    /// <summary>α, the weight of the memory-consolidation term (released <c>--alpha</c> 0.5).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Initial boost rate β (released <c>--boost_rate</c> 1.0), learned in phase 2.</summary>
    public double BoostRate { get; init; } = 1.0;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(EpochsPerStage >= 1, nameof(EpochsPerStage), EpochsPerStage, "≥ 1");
        MethodRequirements.Option(CorrectionEpochs >= 0, nameof(CorrectionEpochs), CorrectionEpochs, "≥ 0");
        MethodRequirements.Option(Weight1 >= 0 && Weight2 >= 0 && Alpha >= 0, nameof(Weight1), $"{Weight1}, {Weight2}, {Alpha}", "w₁, w₂, α ≥ 0");
        MethodRequirements.Option(BoostRate > 0 && double.IsFinite(BoostRate), nameof(BoostRate), BoostRate, "a positive number");
    }
}

/// <summary>
/// ReconBoost (Hua, Xu, Bao, Yang, Huang, "ReconBoost: Boosting Can Achieve Modality Reconcilement", ICML 2024; released
/// <c>train.py</c>). Training alternates modalities in stages; stage t picks m = t mod M (the released fixed schedule).
/// Phase 1 (<see cref="ReconBoostOptions.EpochsPerStage"/> epochs) trains learner f_m alone with the reconcilement loss
/// ℓ = mean_n[ −w₁·mean_k y_k log p_k(f_m) + w₂·mean_k y_k·softmax(F_{−m})_k·log p_k(f_m) ] + α·MSE(softmax(f_m), softmax(f_prev)),
/// where F_{−m} = β·Σ_{j≠m} f_j is the current ensemble of the other learners (detached; uniform before any learner exists)
/// and f_prev the learner trained in the previous stage (detached). The learner then joins the ensemble F = β·Σ_j f_j, kept
/// to the newest learner per modality, and phase 2 (<see cref="ReconBoostOptions.CorrectionEpochs"/> epochs, "global
/// rectification") trains every learner in the ensemble and β on CE(F). Prediction: F.
/// <para>Route: the learners share the model's fusion and head through zero-masking, f_m = 𝓕(Ω([0, …, h_m, …, 0])), as the
/// released code shares one "common space" head across learners; each phase uses a fresh optimizer (released: new SGD per
/// phase and stage) of the run's settings following the run's learning rate. The trainer's epochs are the phases' epochs
/// (a stage is E_s + E_c epochs) and every epoch is validated; while no learner has joined, the prediction is the current
/// learner alone.</para>
/// <para>Deviation: the released memory term compares <i>two detached</i> predictions and so never produces a gradient; we
/// let it reach the current learner (α = 0 reproduces the released behaviour). Classification only (class probabilities
/// drive the reconcilement).</para>
/// </summary>
public sealed class ReconBoost : BalancingMethod<ReconBoostOptions>
{
    private Parameter? _boostRate;
    private bool[] _joined = [];
    private optim.Optimizer? _optimizer;
    private (int Stage, bool Correction) _phase = (-1, false);

    /// <summary>ReconBoost with <paramref name="options"/>.</summary>
    public ReconBoost(ReconBoostOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.ReconBoost;

    /// <inheritdoc />
    public override bool OwnsStep => true;

    /// <summary>β.</summary>
    public double BoostRate => _boostRate!.item<float>();

    /// <summary>Which learners are in the ensemble.</summary>
    public IReadOnlyList<bool> Joined => _joined;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its reconcilement term re-weights the cross-entropy by the other learners' class probabilities");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _boostRate = new Parameter(torch.tensor((float)Hyperparameters.BoostRate, device: context.Device));
        _joined = new bool[context.Model.ModalityCount];
    }

    /// <summary>(stage, modality, correction phase) of a 0-based epoch.</summary>
    public (int Stage, int Modality, bool Correction) Schedule(int epoch, int modalities)
    {
        int length = Hyperparameters.EpochsPerStage + Hyperparameters.CorrectionEpochs;
        int stage = epoch / length;
        return (stage, stage % modalities, epoch % length >= Hyperparameters.EpochsPerStage);
    }

    /// <summary>
    /// ℓ = mean_n[ −w₁·mean_k y_k log p_k + w₂·mean_k y_k q_k log p_k ] for the learner's logits, the other learners'
    /// ensemble logits (q = softmax, detached; null means uniform) and class labels.
    /// </summary>
    public static Tensor ReconcilementLoss(Tensor logits, Tensor? others, Tensor labels, double w1, double w2)
    {
        var logp = nn.functional.log_softmax(logits, 1);
        var y = nn.functional.one_hot(labels, logits.shape[1]).to(logp.dtype);
        var q = others is null ? torch.full_like(logp, 1.0 / logits.shape[1]) : nn.functional.softmax(others.detach(), 1);
        return (-w1 * (y * logp).mean([1L]) + w2 * (y * q * logp).mean([1L])).mean();
    }

    private Tensor Learner(Tensor[] features, int modality) => ZeroMasking.Only(Context.Model, features, modality).Prediction;

    private Tensor? Ensemble(Tensor[] features, Func<int, bool> include)
    {
        Tensor? sum = null;
        for (int j = 0; j < _joined.Length; j++)
            if (include(j)) sum = sum is null ? Learner(features, j) : sum + Learner(features, j);
        return sum is null ? null : _boostRate! * sum;
    }

    /// <inheritdoc />
    public override void TrainStep(StepState step)
    {
        var model = Context.Model;
        int modalities = model.ModalityCount;
        var (stage, m, correction) = Schedule(step.Epoch, modalities);
        // A learner joins the ensemble when its phase 1 ends (and stays, replaced by its newer self in later stages).
        for (int s = Math.Max(0, stage - modalities); s < stage; s++) _joined[s % modalities] = true;
        if (correction) _joined[m] = true;
        if (_phase != (stage, correction)) StartPhase(stage, m, correction);
        SplitPasses.FollowLearningRate(_optimizer!, Context.Optimizer);
        model.zero_grad();
        _boostRate!.grad = null;
        var labels = step.Batch.Target;
        var features = model.Encode(step.Batch.Modalities);
        Tensor prediction, loss;
        if (!correction)
        {
            Tensor? others;
            Tensor? previous = null;
            using (no_grad())
            {
                var frozen = features.Select(f => f.detach()).ToArray();
                others = Ensemble(frozen, j => j != m && _joined[j]);
                int prevModality = (stage - 1) % modalities;
                if (stage > 0 && prevModality != m) previous = nn.functional.softmax(Learner(frozen, prevModality), 1);
            }
            prediction = Learner(features, m);
            loss = ReconcilementLoss(prediction, others, labels, Hyperparameters.Weight1, Hyperparameters.Weight2);
            if (previous is not null && Hyperparameters.Alpha > 0)
                loss = loss + Hyperparameters.Alpha * nn.functional.mse_loss(nn.functional.softmax(prediction, 1), previous);
        }
        else
        {
            prediction = Ensemble(features, j => _joined[j])!;
            loss = Context.Task.Loss(prediction, labels);
        }
        Context.Task.Validate(prediction, labels);
        step.Output = new MultimodalOutput(prediction, features, prediction);
        step.TaskLoss = Context.Task.Loss(prediction, labels);
        step.Loss = loss;
        loss.backward();
        Context.RecordGradientNorms(step, modulated: false);
        if (Context.Options.ClipNorm is { } clip) nn.utils.clip_grad_norm_(model.parameters().Append(_boostRate).ToArray(), clip);
        _optimizer!.step();
        step.Diagnostics.Extra["phase"] = torch.tensor(correction ? -1.0 : m);
        step.Diagnostics.Extra["boost_rate"] = _boostRate.detach().clone();
    }

    /// <summary>A fresh optimizer for the phase: phase 1 over encoder m, fusion and head; phase 2 over the joined encoders, fusion, head and β.</summary>
    private void StartPhase(int stage, int modality, bool correction)
    {
        var model = Context.Model;
        var shared = model.Fusion.parameters().Concat(model.Head.parameters());
        var parameters = correction
            ? Enumerable.Range(0, _joined.Length).Where(j => _joined[j]).SelectMany(j => model.Encoder(j).parameters()).Concat(shared).Append(_boostRate!)
            : model.Encoder(modality).parameters().Concat(shared);
        _optimizer?.Dispose();
        _optimizer = Context.Options.Optimizer.Create(parameters);
        _phase = (stage, correction);
    }

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs)
    {
        var features = Context.Model.Encode(inputs);
        var prediction = Ensemble(features, j => _joined[j]) ?? _boostRate! * Learner(features, _phase.Stage < 0 ? 0 : _phase.Stage % _joined.Length);
        return new MultimodalOutput(prediction, features, prediction);
    }

    /// <inheritdoc />
    public override void SaveWeights(BinaryWriter writer)
    {
        writer.Write(_boostRate!.item<float>());
        foreach (var j in _joined) writer.Write(j);
    }

    /// <inheritdoc />
    public override void LoadWeights(BinaryReader reader)
    {
        float beta = reader.ReadSingle();
        using (no_grad()) _boostRate!.fill_(beta);
        for (int j = 0; j < _joined.Length; j++) _joined[j] = reader.ReadBoolean();
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        SaveWeights(writer);
        writer.Write(_phase.Stage);
        writer.Write(_phase.Correction);
        if (_phase.Stage >= 0) OptimizerCheckpoint.Save(_optimizer!, writer);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        LoadWeights(reader);
        int stage = reader.ReadInt32();
        bool correction = reader.ReadBoolean();
        if (stage < 0) return;
        StartPhase(stage, stage % _joined.Length, correction);
        OptimizerCheckpoint.Load(_optimizer!, reader);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _optimizer?.Dispose();
        _boostRate?.Dispose();
        base.Dispose();
    }
}
