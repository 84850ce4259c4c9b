using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM — Classifier-guided Gradient Modulation (Guo, Jin, Chen, Zhao, NeurIPS 2024, arXiv 2411.01409).
/// A classifier f_i on each encoder's detached features h_i measures how fast each modality improves (ε_i, Δε_i, Eq. 5–6);
/// the balancing term B_i (Eq. 7) rescales encoder i's gradient (magnitude, Eq. 8) and weighs the direction loss 𝓛_gm
/// (Eq. 11–12), which pulls the head's update toward the lagging modalities: 𝓛 = 𝓛_task + λ·𝓛_gm (Eq. 13).
///
/// <para><b>Paper variant</b>, per step t: f_i trains on h_i.detach() (its gradient g_i = ∇θ^{f_i}𝓛 is kept); ε^t, Δε^t, B^t
/// (with ρ; guard on). g_𝓕 = ∂𝓛_task/∂W_𝓕 is taken with <c>create_graph</c>, and 𝓛_gm^t = (1/M)Σ(|B_i| − B_i·sim(g_𝓕, g_i))
/// is added to the loss of the same step. The derivative taken through 𝓛_gm is the one through g_𝓕 (a double backward into
/// the head, fusion and encoders), with B and g_i held constant: B is a coefficient of the objective (Eq. 11), and the
/// classifiers must not be trained by 𝓛_gm nor send gradient into the encoders (Appendix C). Encoder gradients are then
/// multiplied by B_i (Eq. 8). With <see cref="CggmOptions.Similarity"/> = Weights the cosine is sim(W_𝓕, W_{f_i}) on the
/// output-layer weights instead (the released choice, without its lag), whose derivative reaches W_𝓕 only.</para>
///
/// <para><b>Reference variant</b> (released <c>msatrain.py</c> l.59–127): 𝓛_task(+λ·𝓛_gm^{t−1}) is back-propagated; f_i train;
/// cos_i = sim(W_{f_i}, W_𝓕) on the output-layer weights; coeff_i = (Σd + 1e-8 − d_i)/(Σd + 1e-8) with d = ε^t − ε^{t−1};
/// 𝓛_gm^t = (Σ|coeff| − Σ coeff_i·cos_i)/M; encoder i's gradient ×= coeff_i·ρ. 𝓛_gm^t enters the next step's loss. In the
/// released code its graph reaches only clones of the weights, so its gradient lands on W_𝓕 alone (the classifier side is
/// wiped by <c>cls_optimizer.zero_grad()</c>), evaluated at the step-t weights; this class adds that exact gradient,
/// λ·∂𝓛_gm^t/∂W_𝓕, to W_𝓕's gradient at step t + 1, which also makes the lag checkpointable.</para>
/// </summary>
public sealed class CggmMethod : BalancingMethod
{
    private ModalityClassifierSet? _classifiers;
    private Tensor? _previousUtilization;   // ε^{t−1}, [M], float64
    private Tensor? _pendingGradient;       // Reference: λ·∂𝓛_gm^{t−1}/∂W_𝓕
    private Tensor? _pendingLoss;           // Reference: 𝓛_gm^{t−1}
    private Tensor[]? _classifierGradients; // Paper: g_i of this step
    private Tensor? _coefficients;          // B^t of this step
    private PendingClassifierPass? _pendingPass;   // Reference: the classifiers' pass running beside the backward

    /// <summary>CGGM with <paramref name="options"/>.</summary>
    public CggmMethod(CggmOptions? options = null)
    {
        CggmOptions = options ?? new CggmOptions();
        CggmOptions.Validate();
    }

    /// <summary>The hyperparameters.</summary>
    public CggmOptions CggmOptions { get; }

    /// <inheritdoc />
    public override string Name => CggmOptions.Variant == CggmVariant.Paper ? "cggm" : "cggm-reference";

    /// <inheritdoc />
    public override object? Options => CggmOptions;

    /// <inheritdoc />
    public override bool ModifiesEncoderGradients => CggmOptions.Rho is not null;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _classifiers;

    private double RhoOrOne => CggmOptions.Rho ?? 1.0;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        if (context.Model.ModalityCount < 2)
            throw new ArgumentException($"CGGM needs at least two modalities: B (Eq. 7) compares each modality's improvement with the others'. The model has M = {context.Model.ModalityCount}.");
        base.Attach(context);
        _classifiers = new ModalityClassifierSet(context.Model, context.Task, CggmOptions.ClassifierOptimizer, context.Device);
        _previousUtilization = torch.zeros(context.Model.ModalityCount, ScalarType.Float64, context.Device).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        var taskLoss = step.TaskLoss!;
        if (CggmOptions.Variant == CggmVariant.Reference)
        {
            // The classifiers' pass needs only the detached features: start it now, beside the model's backward.
            if (CggmOptions.OverlapClassifiers) _pendingPass = _classifiers!.TrainInBackground(step.Output!.Features, step.Batch.Target);
            return _pendingLoss is null ? taskLoss : taskLoss + CggmOptions.Lambda * _pendingLoss;
        }

        // Paper: classifiers first, so that B^t and g_i are known when 𝓛_gm^t joins this step's loss.
        var model = Context.Model;
        var pending = CggmOptions.OverlapClassifiers ? _classifiers!.TrainInBackground(step.Output!.Features, step.Batch.Target) : null;
        var headGradient = CggmOptions.Lambda == 0 || CggmOptions.SimilarityInUse == DirectionSimilarity.Weights ? null
            : torch.autograd.grad([taskLoss], [model.HeadOutputWeight], retain_graph: true, create_graph: true)[0];
        var pass = pending?.Wait() ?? _classifiers!.Train(step.Output!.Features, step.Batch.Target);
        step.Diagnostics.ClassifierLoss = pass.Losses;
        _classifierGradients = Enumerable.Range(0, _classifiers!.Classifiers.Count).Select(i => _classifiers.OutputGradient(i).detach().clone()).ToArray();
        _coefficients = UpdateCoefficients(step, pass.Utilization, RhoOrOne);
        if (CggmOptions.Lambda == 0) return taskLoss;

        var cosines = headGradient is not null
            ? torch.stack(_classifierGradients.Select(g => GradientTools.Cosine(headGradient, g)).ToArray())
            // The released cosine on weights, in the same step (no lag): its derivative reaches W_𝓕 only.
            : torch.stack(_classifiers.Classifiers.Select(c => GradientTools.Cosine(model.HeadOutputWeight, c.OutputWeight.detach())).ToArray());
        var directionLoss = DirectionLoss.Compute(_coefficients, cosines);
        step.Diagnostics.Cosine = cosines.detach();
        step.Diagnostics.DirectionLoss = directionLoss.detach();
        return taskLoss + CggmOptions.Lambda * directionLoss;
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var model = Context.Model;
        if (CggmOptions.Variant == CggmVariant.Paper)
        {
            if (CggmOptions.Lambda == 0)
            {
                // Direction term off: record the cosines it would use, from this step's head gradient (or weights).
                var cosines = CggmOptions.SimilarityInUse == DirectionSimilarity.Weights
                    ? torch.stack(_classifiers!.Classifiers.Select(c => GradientTools.Cosine(model.HeadOutputWeight.detach(), c.OutputWeight.detach())).ToArray())
                    : torch.stack(_classifierGradients!.Select(g => GradientTools.Cosine(GradientTools.GradOrZeros(model.HeadOutputWeight), g)).ToArray());
                step.Diagnostics.Cosine = cosines;
                step.Diagnostics.DirectionLoss = DirectionLoss.Compute(_coefficients!, cosines);
            }
            ScaleEncoders(_coefficients!);
            _classifiers!.Step();
            return;
        }

        // Reference: the lagged direction gradient joins W_𝓕's gradient, as the released backward of λ·l_gm would.
        if (_pendingGradient is not null)
        {
            using var _ = no_grad();
            model.HeadOutputWeight.grad?.add_(_pendingGradient);
        }
        var pass = _pendingPass?.Wait() ?? _classifiers!.Train(step.Output!.Features, step.Batch.Target);
        _pendingPass = null;
        step.Diagnostics.ClassifierLoss = pass.Losses;
        var weightCosines = torch.stack(_classifiers!.Classifiers.Select(c => GradientTools.Cosine(c.OutputWeight.detach(), model.HeadOutputWeight.detach())).ToArray());
        var coefficients = UpdateCoefficients(step, pass.Utilization, 1.0);   // the code's coeff, without ρ
        step.Diagnostics.Coefficients = coefficients * RhoOrOne;              // B as applied to the encoders
        step.Diagnostics.Cosine = weightCosines;
        StorePendingDirection(coefficients, step);
        ScaleEncoders(coefficients * RhoOrOne);
        _classifiers!.Step();
    }

    /// <summary>Δε^t and B^t from this step's ε^t (Eq. 6–7), remembering ε^t for the next step.</summary>
    private Tensor UpdateCoefficients(StepState step, Tensor utilization, double rho)
    {
        var delta = BalancingCoefficients.Improvement(utilization, _previousUtilization!);
        var b = BalancingCoefficients.Compute(delta, rho, CggmOptions.GuardEnabled, CggmOptions.GuardThreshold);
        _previousUtilization!.Dispose();
        _previousUtilization = utilization.detach().clone().DetachFromDisposeScope();
        step.Diagnostics.Utilization = utilization;
        step.Diagnostics.DeltaUtilization = delta;
        step.Diagnostics.Coefficients = b;
        return b;
    }

    /// <summary>𝓛_gm^t = (Σ|c| − Σ c_i·sim(W_{f_i}, W_𝓕))/M and λ·∂𝓛_gm^t/∂W_𝓕 at the current weights, for the next step.</summary>
    private void StorePendingDirection(Tensor coefficients, StepState step)
    {
        var model = Context.Model;
        Tensor loss, gradient;
        using (var _ = enable_grad())
        {
            var head = model.HeadOutputWeight.detach().clone().requires_grad_(true);
            var cos = torch.stack(_classifiers!.Classifiers.Select(c => GradientTools.Cosine(c.OutputWeight.detach(), head)).ToArray());
            loss = DirectionLoss.Compute(coefficients, cos);
            gradient = torch.autograd.grad([loss], [head])[0];
        }
        step.Diagnostics.DirectionLoss = loss.detach();
        _pendingLoss?.Dispose();
        _pendingGradient?.Dispose();
        _pendingLoss = loss.detach().clone().DetachFromDisposeScope();
        _pendingGradient = (CggmOptions.Lambda * gradient).detach().DetachFromDisposeScope();
    }

    /// <summary>θ^{φ_i}.grad ← B_i · θ^{φ_i}.grad (Eq. 8), unless ρ is null (direction only).</summary>
    private void ScaleEncoders(Tensor b)
    {
        if (CggmOptions.Rho is null) return;
        for (int i = 0; i < Context.EncoderParameters.Count; i++)
            GradientTools.Scale(Context.EncoderParameters[i], b[i]);
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        _classifiers!.Save(writer);
        _previousUtilization!.Save(writer);
        writer.Write(_pendingGradient is not null);
        if (_pendingGradient is not null) { _pendingGradient.Save(writer); _pendingLoss!.Save(writer); }
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _classifiers!.Load(reader);
        var device = Context.Device;
        _previousUtilization!.Dispose();
        _previousUtilization = Tensor.Load(reader).to(device).DetachFromDisposeScope();
        _pendingGradient?.Dispose();
        _pendingLoss?.Dispose();
        _pendingGradient = _pendingLoss = null;
        if (reader.ReadBoolean())
        {
            _pendingGradient = Tensor.Load(reader).to(device).DetachFromDisposeScope();
            _pendingLoss = Tensor.Load(reader).to(device).DetachFromDisposeScope();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _previousUtilization?.Dispose();
        _pendingGradient?.Dispose();
        _pendingLoss?.Dispose();
        base.Dispose();
    }
}
