using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM as the paper writes it (Eq. 6–13), per step t:
/// <list type="number">
/// <item>f_i trains on h_i.detach() (Eq. 5); its output-layer gradient g_i = ∇θ^{f_i}𝓛 (Eq. 9) is kept;</item>
/// <item>ε^t, Δε^t and B^t with ρ, the guard on (Eq. 6–7);</item>
/// <item>g_𝓕 = ∂𝓛_task/∂W_𝓕 (Eq. 10) is taken with <c>create_graph</c>, and 𝓛_gm^t = (1/M)Σ(|B_i| − B_i·sim(g_𝓕, g_i)) (Eq. 12)
/// joins the loss of the same step, 𝓛 = 𝓛_task + λ·𝓛_gm^t (Eq. 13);</item>
/// <item>after backward each encoder's gradient is multiplied by B_i (Eq. 8), then f_i step.</item>
/// </list>
/// The derivative taken through 𝓛_gm is the one through g_𝓕 (a double backward into the head, fusion and encoders), with B and
/// g_i held constant: B is a coefficient of the objective (Eq. 11), and the classifiers must neither be trained by 𝓛_gm nor send
/// gradient into the encoders (Appendix C). With <see cref="CggmOptions.Similarity"/> = Weights the cosine is sim(W_𝓕, W_{f_i})
/// on the output-layer weights instead (the released choice, without its lag), whose derivative reaches W_𝓕 only.
/// </summary>
public sealed class PaperCggm : CggmMethod
{
    private Tensor[]? _classifierGradients;   // g_i of this step
    private Tensor? _coefficients;            // B^t of this step

    internal PaperCggm(CggmOptions options) : base(options with { Variant = CggmVariant.Paper }) { }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        // Classifiers first, so that B^t and g_i are known when 𝓛_gm^t joins this step's loss.
        var taskLoss = step.TaskLoss!;
        var model = Context.Model;
        var pending = Hyperparameters.OverlapClassifiers ? ClassifierSet.TrainInBackground(step.Output!.Features, step.Batch.Target) : null;
        var headGradient = Hyperparameters.Lambda == 0 || Hyperparameters.SimilarityInUse == DirectionSimilarity.Weights ? null
            : torch.autograd.grad([taskLoss], [model.HeadOutputWeight], retain_graph: true, create_graph: true)[0];
        var pass = pending?.Wait() ?? ClassifierSet.Train(step.Output!.Features, step.Batch.Target);
        step.Diagnostics.ClassifierLoss = pass.Losses;
        _classifierGradients = Enumerable.Range(0, ClassifierSet.Classifiers.Count).Select(i => ClassifierSet.OutputGradient(i).detach().clone()).ToArray();
        _coefficients = UpdateCoefficients(step, pass.Utilization, RhoOrOne);
        if (Hyperparameters.Lambda == 0) return taskLoss;

        var cosines = headGradient is not null
            ? torch.stack(_classifierGradients.Select(g => GradientTools.Cosine(headGradient, g)).ToArray())
            : WeightCosines(model.HeadOutputWeight);   // the released cosine on weights, in the same step: reaches W_𝓕 only
        var directionLoss = DirectionLoss.Compute(_coefficients, cosines);
        step.Diagnostics.Cosine = cosines.detach();
        step.Diagnostics.DirectionLoss = directionLoss.detach();
        return DirectionLoss.Objective(taskLoss, Hyperparameters.Lambda, directionLoss);
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        if (Hyperparameters.Lambda == 0)
        {
            // Direction term off: record the cosines it would use, from this step's head gradient (or weights).
            var head = Context.Model.HeadOutputWeight;
            var cosines = Hyperparameters.SimilarityInUse == DirectionSimilarity.Weights
                ? WeightCosines(head.detach())
                : torch.stack(_classifierGradients!.Select(g => GradientTools.Cosine(GradientTools.GradOrZeros(head), g)).ToArray());
            step.Diagnostics.Cosine = cosines;
            step.Diagnostics.DirectionLoss = DirectionLoss.Compute(_coefficients!, cosines);
        }
        ScaleEncoders(_coefficients!);
        ClassifierSet.Step();
    }
}
