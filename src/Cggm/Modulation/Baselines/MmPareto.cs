using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="MmPareto"/>.</summary>
public sealed record MmParetoOptions : IMethodOptions
{
    /// <summary>γ &gt; 1, the final rescale of the integrated gradient (paper §4.1 and released code: 1.5).</summary>
    public double Gamma { get; init; } = 1.5;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate() => MethodRequirements.Option(Gamma > 0 && double.IsFinite(Gamma), nameof(Gamma), Gamma, "a positive number");
}

/// <summary>
/// MMPareto (Wei, Hu, "MMPareto: Boosting Multimodal Learning with Innocent Unimodal Assistance", ICML 2024). The model
/// learns 𝓛_mm + Σ_m 𝓛_m with a unimodal head f_m per modality. For each encoder θ_k, with g_m = ∇θ_k 𝓛_mm and
/// g_u = ∇θ_k 𝓛_k (Algorithm 1): if cos(g_m, g_u) ≥ 0 then α_m = α_u = ½, else the two-task minimum-norm solution
/// α_m = clip((g_u − g_m)ᵀg_u / ‖g_m − g_u‖², 0, 1), α_u = 1 − α_m (Eq. 5); h′ = 2α_m g_m + 2α_u g_u and the encoder's
/// gradient becomes h = γ·‖g_m + g_u‖·h′/‖h′‖ (Eq. 16 and the γ rescale). Heads, fusion and the head of the fused
/// prediction keep the plain summed gradient.
/// <para>Deviation from the released code (<c>MMPareto.py</c>): it rescales each parameter tensor separately and only
/// upward (h′·max(‖g_m + g_u‖/‖h′‖, 1)·γ); we follow Algorithm 1, which rescales the encoder's whole gradient vector to
/// ‖g_m + g_u‖. Route: auxiliary heads from <see cref="MultimodalModel.CreateModalityClassifier"/> on the (non-detached)
/// features, as the paper's unimodal heads; they use the run's optimizer settings. Defined for every task kind (losses
/// only) and any M ≥ 2 (every encoder is integrated on its own).</para>
/// </summary>
public sealed class MmPareto : BalancingMethod<MmParetoOptions>
{
    private ModalityClassifierSet? _heads;
    private Tensor[][]? _multimodal, _unimodal;   // g_m, g_u per encoder parameter

    /// <summary>MMPareto with <paramref name="options"/>.</summary>
    public MmPareto(MmParetoOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.MmPareto;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _heads;

    /// <inheritdoc />
    public override bool ModifiesEncoderGradients => true;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _heads = new ModalityClassifierSet(context.Model, context.Task, context.Options.Optimizer, context.Device);
    }

    /// <summary>
    /// Algorithm 1 for one encoder: the integrated gradient h from flattened g_m and g_u, and α_m. Returns zeros when
    /// h′ = 0 (a Pareto-stationary point).
    /// </summary>
    public static (Tensor Gradient, double AlphaMultimodal) Integrate(Tensor multimodal, Tensor unimodal, double gamma)
    {
        using var _ = no_grad();
        double alpha = 0.5;
        double cos = GradientTools.Cosine(multimodal, unimodal).item<float>();
        if (cos < 0)
        {
            var diff = multimodal - unimodal;
            double denominator = diff.pow(2).sum().item<float>();
            alpha = denominator > 0 ? Math.Clamp((-(diff) * unimodal).sum().item<float>() / denominator, 0, 1) : 0.5;
        }
        var combined = 2 * alpha * multimodal + 2 * (1 - alpha) * unimodal;
        var norm = combined.norm();
        if (norm.item<float>() == 0) return (torch.zeros_like(combined), alpha);
        return (combined / norm * (multimodal + unimodal).norm() * gamma, alpha);
    }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        var heads = _heads!.Classifiers;
        foreach (var h in heads) h.zero_grad();
        var features = step.Output!.Features;
        var encoders = Context.EncoderParameters;
        var unimodalLosses = features.Select((h, m) => Context.Task.Loss(heads[m].call(h), step.Batch.Target)).ToArray();
        var all = encoders.SelectMany(g => g).Cast<Tensor>().ToArray();
        var gm = torch.autograd.grad([step.TaskLoss!], all, retain_graph: true, allow_unused: true);
        _multimodal = new Tensor[encoders.Count][];
        _unimodal = new Tensor[encoders.Count][];
        int offset = 0;
        for (int m = 0; m < encoders.Count; m++)
        {
            var group = encoders[m].Cast<Tensor>().ToArray();
            _multimodal[m] = group.Select((p, i) => (gm[offset + i] ?? torch.zeros_like(p)).detach()).ToArray();
            var gu = torch.autograd.grad([unimodalLosses[m]], group, retain_graph: true, allow_unused: true);
            _unimodal[m] = group.Select((p, i) => (gu[i] ?? torch.zeros_like(p)).detach()).ToArray();
            offset += group.Length;
        }
        step.Diagnostics.Extra["unimodal_loss"] = torch.stack(unimodalLosses.Select(l => l.detach()).ToArray());
        return unimodalLosses.Aggregate(step.TaskLoss!, (sum, l) => sum + l);
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var encoders = Context.EncoderParameters;
        var alphas = new double[encoders.Count];
        using var _ = no_grad();
        for (int m = 0; m < encoders.Count; m++)
        {
            var flatM = torch.cat(_multimodal![m].Select(g => g.reshape(-1)).ToArray());
            var flatU = torch.cat(_unimodal![m].Select(g => g.reshape(-1)).ToArray());
            var (h, alpha) = Integrate(flatM, flatU, Hyperparameters.Gamma);
            alphas[m] = alpha;
            long offset = 0;
            foreach (var p in encoders[m])
            {
                var slice = h.narrow(0, offset, p.numel()).reshape(p.shape);
                if (p.grad is { } g) g.copy_(slice);
                else p.grad = slice.clone();
                offset += p.numel();
            }
        }
        step.Diagnostics.Coefficients = torch.tensor(alphas);
        _multimodal = _unimodal = null;
    }

    /// <inheritdoc />
    public override void AfterOptimizerStep(StepState step) => _heads!.Step();
}
