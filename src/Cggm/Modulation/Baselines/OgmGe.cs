using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="OgmGe"/>.</summary>
public sealed record OgmGeOptions : IMethodOptions
{
    /// <summary>α of Eq. 10 (the OGM-GE README: 0.8 for CREMA-D, 0.1 for VGGSound; 0.8 here).</summary>
    public double Alpha { get; init; } = 0.8;

    /// <summary>First epoch (0-based) with modulation (released <c>--modulation_starts</c>, default 0).</summary>
    public int ModulationStart { get; init; }

    /// <summary>Last epoch (inclusive) with modulation (released <c>--modulation_ends</c>, default 50).</summary>
    public int ModulationEnd { get; init; } = 50;

    /// <summary>Add the generalization-enhancement noise (OGM-GE); false gives plain OGM.</summary>
    public bool GeneralizationEnhancement { get; init; } = true;

    /// <summary>
    /// Also modulate 1-D parameters (biases, norm scales). The released code touches only 4-D convolution kernels; our
    /// encoders have linear layers, so by default every weight tensor with two or more dimensions is modulated.
    /// </summary>
    public bool IncludeBiases { get; init; }

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Alpha > 0 && double.IsFinite(Alpha), nameof(Alpha), Alpha, "a positive number");
        MethodRequirements.Option(ModulationStart >= 0 && ModulationEnd >= ModulationStart, nameof(ModulationEnd), ModulationEnd, $"≥ {nameof(ModulationStart)} ({ModulationStart}) ≥ 0");
    }
}

/// <summary>
/// OGM-GE — On-the-fly Gradient Modulation with Generalization Enhancement (Peng, Wei, Deng, Wang, Hu, "Balanced
/// Multimodal Learning via On-the-fly Gradient Modulation", CVPR 2022). After back-propagating 𝓛_task, per step:
/// s_u = Σ_{n∈B} softmax(o_u^n)[y_n] (Eq. 8–9), ρ_u = s_u / s_other, and (Eq. 10)
/// k_u = 1 − tanh(α·ρ_u) if ρ_u &gt; 1 else 1, so only the dominant modality is slowed; its encoder gradient becomes
/// g̃ = k_u·g + h with h ~ 𝒩(0, std(g)²) per parameter tensor (GE, Eq. 11; the released code estimates the noise scale by
/// the gradient tensor's standard deviation and adds noise to every modality's encoder, which this class follows).
/// <para>Unimodal logits: the paper splits a linear concat head (o_u = W_u h_u + b/2); our heads are MLPs, so o_u is the
/// zero-masked prediction 𝓕(Ω([0, …, h_u, …, 0])) (the authors' advice for non-linear fusion, issues #20/#21).</para>
/// <para>M &gt; 2 (not in the paper): ρ_u = mean_{j≠u} s_u/s_j, the authors' suggestion in issue #16; equal to the paper's
/// ratio for M = 2. Classification only (the scores are softmax probabilities of the true class).</para>
/// </summary>
public sealed class OgmGe : BalancingMethod<OgmGeOptions>
{
    /// <summary>OGM-GE with <paramref name="options"/>.</summary>
    public OgmGe(OgmGeOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.OgmGe;

    /// <inheritdoc />
    public override bool ModifiesEncoderGradients => true;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its imbalance ratio compares softmax probabilities of the true class (Eq. 8–9)");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
    }

    /// <summary>ρ_u = mean_{j≠u} s_u/s_j for scores s <c>[M]</c> (for M = 2, s_u/s_other).</summary>
    public static Tensor Ratios(Tensor scores)
    {
        int m = (int)scores.shape[0];
        var pairwise = scores.unsqueeze(1) / scores.unsqueeze(0);             // [u, j] = s_u / s_j
        var offDiagonal = torch.ones(m, m, dtype: scores.dtype, device: scores.device) - torch.eye(m, dtype: scores.dtype, device: scores.device);
        return (pairwise * offDiagonal).sum(1) / (m - 1);
    }

    /// <summary>Eq. 10: k_u = 1 − tanh(α·ρ_u) where ρ_u &gt; 1, else 1.</summary>
    public static Tensor Coefficients(Tensor ratios, double alpha) =>
        torch.where(ratios.gt(1), 1 - torch.tanh(alpha * ratios), torch.ones_like(ratios));

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var model = Context.Model;
        var labels = step.Batch.Target;
        Tensor scores;
        using (no_grad())
        {
            var features = step.Output!.Features.Select(f => f.detach()).ToArray();
            scores = torch.stack(Enumerable.Range(0, features.Length)
                .Select(m => ZeroMasking.TrueClassScore(ZeroMasking.Only(model, features, m).Prediction, labels)).ToArray()).to(ScalarType.Float64);
        }
        var ratios = Ratios(scores);
        var k = Coefficients(ratios, Hyperparameters.Alpha);
        step.Diagnostics.Coefficients = k;
        step.Diagnostics.Extra["ratio"] = ratios;
        if (step.Epoch < Hyperparameters.ModulationStart || step.Epoch > Hyperparameters.ModulationEnd) return;
        var factors = k.cpu().data<double>().ToArray();
        using var _ = no_grad();
        for (int m = 0; m < factors.Length; m++)
            foreach (var p in Context.EncoderParameters[m])
            {
                if (p.grad is not { } g || (p.dim() < 2 && !Hyperparameters.IncludeBiases)) continue;
                var modulated = g * factors[m];
                if (Hyperparameters.GeneralizationEnhancement && g.numel() > 1) modulated += torch.randn_like(g) * (g.std() + 1e-8);
                g.copy_(modulated);
            }
    }
}
