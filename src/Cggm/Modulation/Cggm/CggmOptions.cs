using Cggm.Training;

namespace Cggm.Modulation;

/// <summary>Which CGGM to run.</summary>
public enum CggmVariant
{
    /// <summary>
    /// Paper Eq. 6–13 as written: B (with ρ) scales encoder gradients and weighs the direction term; the direction term uses
    /// the cosine between the *gradients* of the head's output layer and of each classifier's output layer, in the same step.
    /// </summary>
    Paper,

    /// <summary>
    /// What github.com/zrguo/CGGM (21e428c) runs: cosine between output-layer *weights*, ρ only on encoder gradients,
    /// 𝓛_gm from the previous step (reaching only the head's output weight), ε on consecutive training batches, the 1e-8 epsilon.
    /// </summary>
    Reference,
}

/// <summary>What the direction term's cosine compares (paper Eq. 11–12 vs the released <c>cal_cos</c>).</summary>
public enum DirectionSimilarity
{
    /// <summary>sim(∇W_𝓕 𝓛, ∇W_{f_i} 𝓛): the gradients of the head's and each classifier's output layer (paper Eq. 9–12).</summary>
    Gradients,

    /// <summary>
    /// sim(W_𝓕, W_{f_i}): the output-layer weights themselves, as the released code computes it (<c>msatrain.py</c> l.85–108;
    /// the author's answer in zrguo/CGGM#3). Its derivative reaches W_𝓕 only (the classifier weights are held fixed).
    /// </summary>
    Weights,
}

/// <summary>CGGM's hyperparameters.</summary>
public sealed record CggmOptions : IMethodOptions
{
    /// <summary>Paper or Reference.</summary>
    public CggmVariant Variant { get; init; } = CggmVariant.Paper;

    /// <summary>ρ, the scale of B (Eq. 7); null turns off magnitude modulation (the paper's "direction only" ablation).</summary>
    public double? Rho { get; init; } = 1.3;

    /// <summary>λ, the weight of 𝓛_gm (Eq. 13); 0 turns off direction modulation ("magnitude only").</summary>
    public double Lambda { get; init; } = 0.2;

    /// <summary>The classifiers' optimizer (the released code: same kind as the model's, lr 5e-4; BraTS SGD 6e-3).</summary>
    public OptimizerSpec ClassifierOptimizer { get; init; } = new(OptimizerKind.Adam, 5e-4);

    /// <summary>Replace B by ρ(M−1)/M when |Σ Δε| &lt; <see cref="GuardThreshold"/>; null means on for Paper, off for Reference.</summary>
    public bool? Guard { get; init; }

    /// <summary>Threshold of the guard on |Σ_k Δε_k|.</summary>
    public double GuardThreshold { get; init; } = 1e-6;

    /// <summary>
    /// Run the classifiers' training pass on a second thread beside the model's backward pass (Reference) or beside the
    /// head-gradient computation (Paper). The two are independent, so the numbers are the same as in sequence (tested). Off
    /// by default, the configuration every timing in the README was measured with.
    /// </summary>
    public bool OverlapClassifiers { get; init; }

    /// <summary>
    /// What the cosine of 𝓛_gm compares; null means the variant's own (Paper: <see cref="DirectionSimilarity.Gradients"/>,
    /// Reference: <see cref="DirectionSimilarity.Weights"/>). Paper with <see cref="DirectionSimilarity.Weights"/> isolates the
    /// released weight cosine from the released one-step lag (notebook 10): 𝓛_gm = (1/M)Σ(|B_i| − B_i·sim(W_𝓕, W_{f_i})) joins the
    /// same step's loss. The Reference variant always uses weights: its lagged 𝓛_gm cannot carry a gradient through last
    /// step's head gradient.
    /// </summary>
    public DirectionSimilarity? Similarity { get; init; }

    /// <summary>
    /// Our variant, not the paper's, and never the default: each modality's improvement measured on an exponentially smoothed ε
    /// instead of on two consecutive batches (Eq. 6): ε̄^t = β·ε̄^{t−1} + (1 − β)·ε^t, ε̂^t = ε̄^t / (1 − β^t) (bias-corrected,
    /// as Adam's moments), Δε^t = ε̂^t − ε̂^{t−1}, then Eq. 7 as usual. Consecutive-batch Δε is mostly batch-sampling noise once
    /// learning slows; the smoothed one averages over about 1/(1 − β) batches. β = <see cref="UtilizationEma"/>; null (the
    /// default) keeps Eq. 6.
    /// </summary>
    public double? UtilizationEma { get; init; }

    /// <summary>The cosine in use for this variant.</summary>
    public DirectionSimilarity SimilarityInUse => Similarity ?? (Variant == CggmVariant.Paper ? DirectionSimilarity.Gradients : DirectionSimilarity.Weights);

    /// <summary>Whether the guard is on for this variant.</summary>
    public bool GuardEnabled => Guard ?? Variant == CggmVariant.Paper;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        if (Rho is { } rho && !(rho > 0 && double.IsFinite(rho)))
            throw new ArgumentOutOfRangeException(nameof(Rho), rho, "ρ must be a positive number (or null to turn magnitude modulation off).");
        if (!(Lambda >= 0 && double.IsFinite(Lambda)))
            throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "λ must be ≥ 0.");
        if (Variant == CggmVariant.Reference && Similarity == DirectionSimilarity.Gradients)
            throw new ArgumentException("The Reference variant's 𝓛_gm is taken one step late, where no gradient can flow through the previous step's head gradient; " +
                                        "use Similarity = Weights (or null) with Reference, or the Paper variant for gradient cosines.", nameof(Similarity));
        if (UtilizationEma is { } beta && !(beta > 0 && beta < 1))
            throw new ArgumentOutOfRangeException(nameof(UtilizationEma), beta, "The smoothing factor β of ε must be in (0, 1), or null for the paper's consecutive-batch Δε.");
        if (!(GuardThreshold > 0)) throw new ArgumentOutOfRangeException(nameof(GuardThreshold), GuardThreshold, "The guard threshold must be positive.");
    }
}
