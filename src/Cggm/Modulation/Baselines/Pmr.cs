using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="Pmr"/>.</summary>
public sealed record PmrOptions : IMethodOptions
{
    /// <summary>α, the weight of the prototypical cross-entropy (Eq. 10; paper: 1 or 2 depending on the dataset).</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>µ, the weight of the prototypical entropy regularization (Eq. 13; paper: 1e-2 or 1e-3).</summary>
    public double Mu { get; init; } = 1e-2;

    /// <summary>ε of Eq. 12, the weight of the previous epoch's prototype (released <c>--momentum_coef</c> default 0.2).</summary>
    public double Momentum { get; init; } = 0.2;

    /// <summary>
    /// E_r: PER is added in the first E_r epochs only (Algorithm 1; the paper says "the first few epochs" without a number,
    /// the released code has no PER at all). 5 is our choice; 0 reproduces the released code.
    /// </summary>
    public int RegularizationEpochs { get; init; } = 5;

    /// <summary>The share of the training set fed forward for the prototypes each epoch (paper: one tenth).</summary>
    public double PrototypeFraction { get; init; } = 0.1;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Alpha >= 0 && double.IsFinite(Alpha), nameof(Alpha), Alpha, "≥ 0");
        MethodRequirements.Option(Mu >= 0 && double.IsFinite(Mu), nameof(Mu), Mu, "≥ 0");
        MethodRequirements.Option(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "a value in [0, 1)");
        MethodRequirements.Option(RegularizationEpochs >= 0, nameof(RegularizationEpochs), RegularizationEpochs, "≥ 0");
        MethodRequirements.Option(PrototypeFraction is > 0 and <= 1, nameof(PrototypeFraction), PrototypeFraction, "a fraction in (0, 1]");
    }
}

/// <summary>
/// PMR — Prototypical Modal Rebalance (Fan, Xu, Wang, Wang, Guo, "PMR: Prototypical Modal Rebalance for Multimodal
/// Learning", CVPR 2023). Prototypes c_m^k are the mean encoder feature of class k over a tenth of the training set,
/// recomputed at the start of every epoch and blended with the previous ones, c ← ε·c_old + (1 − ε)·c_new (Eq. 6, 12).
/// Prototype probabilities p_m = softmax_k(−‖h_m − c_m^k‖₂) (Eq. 7, Euclidean distance), scores s_m = Σ_n p_m^n[y_n],
/// ρ = s_0/s_1 (Eq. 8). The slow modality is accelerated by its prototypical cross-entropy and, during the first E_r
/// epochs, the fast one is slowed by its prototype entropy (Eq. 10–13):
/// 𝓛 = 𝓛_task + α·Σ_m β_m·PCE_m − µ·Σ_m γ_m·H(p_m), β_m = clip(max_{j≠m} s_j/s_m − 1, 0, 1), γ_m = clip(s_m/min_{j≠m} s_j − 1, 0, 1).
/// For M = 2 these are the paper's β, γ (Eq. 11); for M &gt; 2 (not in the paper) each modality is compared with the
/// fastest other (acceleration) and the slowest other (regularization).
/// <para>Deviation from the released code (<c>main_Prototype_grad.py</c>): it uses a constant α on the slower modality
/// (no clip(1/ρ − 1)) and has no PER term (issues #7, #9); we follow the paper. Features of any shape are flattened per
/// sample. Classification only (class prototypes).</para>
/// </summary>
public sealed class Pmr : BalancingMethod<PmrOptions>
{
    private Tensor[]? _prototypes;   // c_m: [K, D_m]
    private int _prototypeEpoch = -1;

    /// <summary>PMR with <paramref name="options"/>.</summary>
    public Pmr(PmrOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Pmr;

    /// <summary>The current prototypes c_m, <c>[K, D_m]</c> per modality (null before the first step).</summary>
    public IReadOnlyList<Tensor>? Prototypes => _prototypes;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its prototypes are per-class feature means and its rule compares class probabilities");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
    }

    /// <summary>p = softmax_k(−‖h − c_k‖₂) for features <c>[B, D]</c> and prototypes <c>[K, D]</c>; returns logits −d <c>[B, K]</c>.</summary>
    public static Tensor PrototypeLogits(Tensor features, Tensor prototypes)
    {
        var diff = features.unsqueeze(1) - prototypes.unsqueeze(0);          // [B, K, D]
        return diff.pow(2).sum(2).clamp_min(1e-12).sqrt().neg();
    }

    /// <summary>(β_m, γ_m) from scores s <c>[M]</c>: β_m = clip(max_{j≠m} s_j/s_m − 1, 0, 1), γ_m = clip(s_m/min_{j≠m} s_j − 1, 0, 1).</summary>
    public static (double[] Accelerate, double[] Regularize) Coefficients(IReadOnlyList<double> scores)
    {
        int m = scores.Count;
        var beta = new double[m];
        var gamma = new double[m];
        for (int i = 0; i < m; i++)
        {
            var others = scores.Where((_, j) => j != i).ToArray();
            beta[i] = Math.Clamp(others.Max() / scores[i] - 1, 0, 1);
            gamma[i] = Math.Clamp(scores[i] / others.Min() - 1, 0, 1);
        }
        return (beta, gamma);
    }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        if (_prototypeEpoch != step.Epoch) UpdatePrototypes(step.Epoch);
        var labels = step.Batch.Target;
        var features = step.Output!.Features;
        var logits = features.Select((h, m) => PrototypeLogits(h.reshape(h.shape[0], -1), _prototypes![m])).ToArray();
        double[] scores;
        using (no_grad())
            scores = torch.stack(logits.Select(l => ZeroMasking.TrueClassScore(l, labels)).ToArray()).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var (beta, gamma) = Coefficients(scores);
        var loss = step.TaskLoss!;
        bool regularize = step.Epoch < Hyperparameters.RegularizationEpochs;
        for (int m = 0; m < logits.Length; m++)
        {
            if (beta[m] > 0) loss = loss + Hyperparameters.Alpha * beta[m] * nn.functional.cross_entropy(logits[m], labels);
            if (regularize && gamma[m] > 0) loss = loss - Hyperparameters.Mu * gamma[m] * Entropy(logits[m]);
        }
        step.Diagnostics.Coefficients = torch.tensor(beta);
        step.Diagnostics.Extra["score"] = torch.tensor(scores);
        step.Diagnostics.Extra["regularization"] = torch.tensor(regularize ? gamma : new double[gamma.Length]);
        return loss;
    }

    /// <summary>H(softmax(logits)) averaged over the batch.</summary>
    public static Tensor Entropy(Tensor logits)
    {
        var logp = nn.functional.log_softmax(logits, 1);
        return -(logp.exp() * logp).sum(1).mean();
    }

    /// <summary>Eq. 6 and 12 on this epoch's subset of the training set (its first fraction in a (seed, epoch)-shuffled order).</summary>
    private void UpdatePrototypes(int epoch)
    {
        var model = Context.Model;
        int classes = (int)model.HeadOutputWeight.shape[0];
        int m = model.ModalityCount;
        var sums = new Tensor[m];
        var counts = torch.zeros(classes, dtype: ScalarType.Float32, device: Context.Device).DetachFromDisposeScope();
        int limit = Math.Max(1, (int)Math.Ceiling(Hyperparameters.PrototypeFraction * Context.Train.Count));
        model.eval();
        try
        {
            using var _ = no_grad();
            SplitPasses.ForEachBatch(Context.Train, Context.Options.EffectiveEvalBatchSize, Context.Device, shuffle: true, Context.Options.Seed + 7919, epoch, batch =>
            {
                var onehot = nn.functional.one_hot(batch.Target, classes).to(ScalarType.Float32);     // [B, K]
                var features = model.Encode(batch.Modalities);
                for (int i = 0; i < m; i++)
                {
                    var h = features[i].reshape(batch.Size, -1);
                    var s = onehot.t().mm(h);                                                            // [K, D]
                    if (sums[i] is null) sums[i] = s.DetachFromDisposeScope();
                    else sums[i].add_(s);
                }
                counts.add_(onehot.sum(0));
            }, limit);
        }
        finally
        {
            model.train();
        }
        var present = counts.gt(0).unsqueeze(1);
        var next = new Tensor[m];
        for (int i = 0; i < m; i++)
        {
            var fresh = sums[i] / counts.clamp_min(1).unsqueeze(1);
            next[i] = _prototypes is null
                ? fresh
                : torch.where(present, Hyperparameters.Momentum * _prototypes[i] + (1 - Hyperparameters.Momentum) * fresh, _prototypes[i]);
            next[i] = next[i].detach().DetachFromDisposeScope();
            sums[i].Dispose();
            _prototypes?[i].Dispose();
        }
        counts.Dispose();
        _prototypes = next;
        _prototypeEpoch = epoch;
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_prototypeEpoch);
        writer.Write(_prototypes is not null);
        if (_prototypes is not null) foreach (var p in _prototypes) p.Save(writer);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _prototypeEpoch = reader.ReadInt32();
        if (_prototypes is not null) foreach (var p in _prototypes) p.Dispose();
        _prototypes = reader.ReadBoolean()
            ? Enumerable.Range(0, Context.Model.ModalityCount).Select(_ => Tensor.Load(reader).to(Context.Device).DetachFromDisposeScope()).ToArray()
            : null;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_prototypes is not null) foreach (var p in _prototypes) p.Dispose();
        base.Dispose();
    }
}
