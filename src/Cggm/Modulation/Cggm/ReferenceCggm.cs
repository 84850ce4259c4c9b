using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM as the released code runs it (github.com/zrguo/CGGM @21e428c, <c>src/msatrain.py</c> l.59–127), per step t:
/// <list type="number">
/// <item>𝓛_task + λ·𝓛_gm^{t−1} is back-propagated (the direction term of the previous step; none at the first);</item>
/// <item>f_i train on h_i.detach(); cos_i = sim(W_{f_i}, W_𝓕) on the output-layer <i>weights</i> (<c>cal_cos</c>);</item>
/// <item>coeff_i = (Σd + 1e-8 − d_i)/(Σd + 1e-8) with d = ε^t − ε^{t−1} on consecutive training batches: Eq. 7 without ρ and
/// without the guard;</item>
/// <item>𝓛_gm^t = (Σ|coeff| − Σ coeff_i·cos_i)/M; encoder i's gradient ×= coeff_i·ρ (ρ only here).</item>
/// </list>
/// In the released code 𝓛_gm^t's graph reaches only clones of the weights, so its gradient lands on W_𝓕 alone (the classifier
/// side is wiped by <c>cls_optimizer.zero_grad()</c>), evaluated at the step-t weights; this class adds that exact gradient,
/// λ·∂𝓛_gm^t/∂W_𝓕, to W_𝓕's gradient at step t + 1, which also makes the lag checkpointable.
/// </summary>
public sealed class ReferenceCggm : CggmMethod
{
    private Tensor? _pendingGradient;               // λ·∂𝓛_gm^{t−1}/∂W_𝓕
    private Tensor? _pendingLoss;                   // 𝓛_gm^{t−1}
    private PendingClassifierPass? _pendingPass;    // the classifiers' pass running beside the backward

    internal ReferenceCggm(CggmOptions options) : base(options with { Variant = CggmVariant.Reference }) { }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        // The classifiers' pass needs only the detached features: start it now, beside the model's backward.
        if (Hyperparameters.OverlapClassifiers) _pendingPass = ClassifierSet.TrainInBackground(step.Output!.Features, step.Batch.Target);
        return _pendingLoss is null ? step.TaskLoss! : DirectionLoss.Objective(step.TaskLoss!, Hyperparameters.Lambda, _pendingLoss);
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var model = Context.Model;
        // The lagged direction gradient joins W_𝓕's gradient, as the released backward of λ·l_gm would.
        if (_pendingGradient is not null)
        {
            using var _ = no_grad();
            model.HeadOutputWeight.grad?.add_(_pendingGradient);
        }
        var pass = _pendingPass?.Wait() ?? ClassifierSet.Train(step.Output!.Features, step.Batch.Target);
        _pendingPass = null;
        step.Diagnostics.ClassifierLoss = pass.Losses;
        var coefficients = UpdateCoefficients(step, pass.Utilization, 1.0);   // the code's coeff, without ρ
        step.Diagnostics.Coefficients = coefficients * RhoOrOne;              // B as applied to the encoders
        step.Diagnostics.Cosine = WeightCosines(model.HeadOutputWeight.detach());
        StorePendingDirection(coefficients, step);
        ScaleEncoders(coefficients * RhoOrOne);
        ClassifierSet.Step();
    }

    /// <summary>𝓛_gm^t = (Σ|c| − Σ c_i·sim(W_{f_i}, W_𝓕))/M and λ·∂𝓛_gm^t/∂W_𝓕 at the current weights, for the next step.</summary>
    private void StorePendingDirection(Tensor coefficients, StepState step)
    {
        Tensor loss, gradient;
        using (var _ = enable_grad())
        {
            var head = Context.Model.HeadOutputWeight.detach().clone().requires_grad_(true);
            loss = DirectionLoss.ComputeReleased(coefficients, WeightCosines(head));
            // ∂(λ·𝓛_gm)/∂W_𝓕 through the same operations as the released backward of raw_loss + λ·l_gm.
            gradient = torch.autograd.grad([Hyperparameters.Lambda * loss], [head])[0];
        }
        step.Diagnostics.DirectionLoss = loss.detach();
        _pendingLoss?.Dispose();
        _pendingGradient?.Dispose();
        _pendingLoss = loss.detach().clone().DetachFromDisposeScope();
        _pendingGradient = gradient.detach().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    private protected override void SaveLag(BinaryWriter writer)
    {
        writer.Write(_pendingGradient is not null);
        if (_pendingGradient is not null) { _pendingGradient.Save(writer); _pendingLoss!.Save(writer); }
    }

    /// <inheritdoc />
    private protected override void LoadLag(BinaryReader reader)
    {
        _pendingGradient?.Dispose();
        _pendingLoss?.Dispose();
        _pendingGradient = _pendingLoss = null;
        if (!reader.ReadBoolean()) return;
        _pendingGradient = Tensor.Load(reader).to(Context.Device).DetachFromDisposeScope();
        _pendingLoss = Tensor.Load(reader).to(Context.Device).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _pendingGradient?.Dispose();
        _pendingLoss?.Dispose();
        base.Dispose();
    }
}
