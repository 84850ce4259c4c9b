using Cggm.Data;
using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="GradientBlending"/>.</summary>
public sealed record GradientBlendingOptions : IMethodOptions
{
    /// <summary>Online G-Blend (Algorithm 3, re-estimated every super-epoch; the paper's full version) or offline (Algorithm 2, once).</summary>
    public bool Online { get; init; } = true;

    /// <summary>Length of the first super-epoch, the warm-up (paper §3.3: 10).</summary>
    public int WarmupSuperEpoch { get; init; } = 10;

    /// <summary>Length n of the later super-epochs (paper §3.3: 5).</summary>
    public int SuperEpoch { get; init; } = 5;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(WarmupSuperEpoch >= 1, nameof(WarmupSuperEpoch), WarmupSuperEpoch, "≥ 1");
        MethodRequirements.Option(SuperEpoch >= 1, nameof(SuperEpoch), SuperEpoch, "≥ 1");
    }
}

/// <summary>
/// G-Blending — Gradient-Blending (Wang, Tran, Feiszli, "What Makes Training Multi-Modal Classification Networks Hard?",
/// CVPR 2020). A head f_m on every modality's features plus the fused head give k + 1 losses, trained as
/// 𝓛 = Σ_i w_i·𝓛_i (Eq. 7). The weights come from the overfitting-to-generalization ratio (Eq. 3, 6, Algorithm 1): from the
/// current checkpoint N each sub-model i (encoder m + f_m, or the whole multimodal model) is trained alone for n epochs;
/// with O = 𝓛_V − 𝓛_T', ΔO_i = O_{N+n} − O_N and ΔG_i = 𝓛_V(N) − 𝓛_V(N+n), w_i = (1/Z)·ΔG_i/ΔO_i², Σ_i w_i = 1. Online
/// (Algorithm 3) re-estimates at the start of every super-epoch (the first one lasts <see cref="GradientBlendingOptions.WarmupSuperEpoch"/>
/// epochs); offline (Algorithm 2) estimates once from the initial model with n = the run's epochs.
/// <para>Route and data: heads f_m from <see cref="MultimodalModel.CreateModalityClassifier"/>, trained on the
/// (non-detached) features; the model's fusion and head are the fused head and make the prediction. The sub-models are
/// trained in place from a snapshot, with fresh optimizers of the run's settings, and the snapshot is restored. V is the
/// run's validation split (the paper holds out 8% of the training set; our trainer trains on every training sample, so
/// the validation split is the data never trained on) and T' is a random training subset of |V| samples.
/// Guard (ours, the paper is silent): ΔG ≤ 0 gives weight 0, ΔO² is floored at 1e-12, and if every weight is 0 they are
/// uniform. Defined for every task kind (the weights use the task loss) and any M ≥ 2.</para>
/// </summary>
public sealed class GradientBlending : BalancingMethod<GradientBlendingOptions>
{
    private ModalityClassifierSet? _heads;
    private double[]? _weights;   // w_0..w_{M−1} (unimodal heads), w_M (fused)
    private int _estimatedAt = -1;

    /// <summary>G-Blending with <paramref name="options"/>.</summary>
    public GradientBlending(GradientBlendingOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.GBlending;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _heads;

    /// <summary>The current weights: one per modality head, then the fused head (null before the first estimate).</summary>
    public IReadOnlyList<double>? Weights => _weights;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _heads = new ModalityClassifierSet(context.Model, context.Task, context.Options.Optimizer, context.Device);
    }

    /// <summary>Eq. 6: w_i ∝ max(ΔG_i, 0)/max(ΔO_i², 1e-12), normalised to sum 1 (uniform when all are 0).</summary>
    public static double[] BlendWeights(IReadOnlyList<double> gain, IReadOnlyList<double> overfit)
    {
        var raw = gain.Select((g, i) => Math.Max(g, 0) / Math.Max(overfit[i] * overfit[i], 1e-12)).ToArray();
        double z = raw.Sum();
        return z > 0 && double.IsFinite(z) ? raw.Select(w => w / z).ToArray() : raw.Select(_ => 1.0 / raw.Length).ToArray();
    }

    /// <summary>Eq. 3 terms from the losses before (N) and after (N + n): (ΔG, ΔO) = (𝓛_V(N) − 𝓛_V(N+n), (𝓛_V − 𝓛_T)(N+n) − (𝓛_V − 𝓛_T)(N)).</summary>
    public static (double Gain, double Overfit) Ogr(double trainBefore, double validBefore, double trainAfter, double validAfter) =>
        (validBefore - validAfter, (validAfter - trainAfter) - (validBefore - trainBefore));

    /// <summary>True when a super-epoch starts at <paramref name="epoch"/> (online: 0, W, W + n, …; offline: 0).</summary>
    public bool StartsSuperEpoch(int epoch) =>
        epoch == 0 || (Hyperparameters.Online && epoch >= Hyperparameters.WarmupSuperEpoch && (epoch - Hyperparameters.WarmupSuperEpoch) % Hyperparameters.SuperEpoch == 0);

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        // Before the forward: the estimate trains the model in place, which would invalidate this step's graph.
        if (_estimatedAt != step.Epoch && StartsSuperEpoch(step.Epoch))
        {
            int n = !Hyperparameters.Online ? Context.Options.Epochs : step.Epoch == 0 ? Hyperparameters.WarmupSuperEpoch : Hyperparameters.SuperEpoch;
            _weights = Estimate(n, step.Epoch);
            _estimatedAt = step.Epoch;
        }
        return Context.Model.call(step.Batch.Modalities);
    }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        var heads = _heads!.Classifiers;
        foreach (var h in heads) h.zero_grad();
        var w = _weights!;
        var loss = w[^1] * step.TaskLoss!;
        var features = step.Output!.Features;
        for (int m = 0; m < heads.Count; m++) loss = loss + w[m] * Context.Task.Loss(heads[m].call(features[m]), step.Batch.Target);
        step.Diagnostics.Coefficients = torch.tensor(w);
        return loss;
    }

    /// <inheritdoc />
    public override void AfterOptimizerStep(StepState step) => _heads!.Step();

    /// <summary>Algorithm 1 from the current weights: k + 1 sub-models trained for <paramref name="epochs"/> epochs each, then restored.</summary>
    private double[] Estimate(int epochs, int epoch)
    {
        var model = Context.Model;
        var task = Context.Task;
        var heads = _heads!.Classifiers;
        int m = model.ModalityCount;
        using var snapshot = new ParameterSnapshot([model, .. heads]);
        var gain = new double[m + 1];
        var overfit = new double[m + 1];
        int subset = Context.Valid.Count;
        for (int i = 0; i <= m; i++)
        {
            snapshot.Restore();
            int sub = i;
            Func<Batch, Tensor> loss = sub == m
                ? b => task.Loss(model.call(b.Modalities).Prediction, b.Target)
                : b => task.Loss(heads[sub].call(model.Encoder(sub).call(b.Modalities[sub])), b.Target);
            var parameters = sub == m ? model.parameters().ToArray() : model.Encoder(sub).parameters().Concat(heads[sub].parameters()).ToArray();
            double trainBefore = HeldLoss(loss, train: true, epoch), validBefore = HeldLoss(loss, train: false, epoch);
            using var optimizer = Context.Options.Optimizer.Create(parameters);
            SplitPasses.FollowLearningRate(optimizer, Context.Optimizer);
            for (int e = 0; e < epochs; e++)
                SplitPasses.ForEachBatch(Context.Train, Context.Options.BatchSize, Context.Device, Context.Options.ShuffleTrain, Context.Options.Seed + 15485863 + 7 * sub, epoch * 1000 + e, batch =>
                {
                    optimizer.zero_grad();
                    loss(batch).backward();
                    if (Context.Options.ClipNorm is { } clip) nn.utils.clip_grad_norm_(parameters, clip);
                    optimizer.step();
                });
            (gain[i], overfit[i]) = Ogr(trainBefore, validBefore, HeldLoss(loss, train: true, epoch), HeldLoss(loss, train: false, epoch));
        }
        snapshot.Restore();
        model.zero_grad();   // the step that called us has cleared its gradients already; leave none behind
        foreach (var h in heads) h.zero_grad();
        return BlendWeights(gain, overfit);

        double HeldLoss(Func<Batch, Tensor> loss, bool train, int seedEpoch)
        {
            model.eval();
            foreach (var h in heads) h.eval();
            try
            {
                return train
                    ? MeanOver(Context.Train, loss, subset, shuffle: true, seedEpoch)
                    : MeanOver(Context.Valid, loss, null, shuffle: false, 0);
            }
            finally
            {
                model.train();
                foreach (var h in heads) h.train();
            }
        }
    }

    /// <summary>Mean loss over a split (or its first <paramref name="limit"/> samples in a seeded order).</summary>
    private double MeanOver(IDataSplit split, Func<Batch, Tensor> loss, int? limit, bool shuffle, int epoch)
    {
        double sum = 0;
        int seen = 0;
        using var _ = no_grad();
        SplitPasses.ForEachBatch(split, Context.Options.EffectiveEvalBatchSize, Context.Device, shuffle, Context.Options.Seed + 32452843, epoch, b =>
        {
            sum += loss(b).item<float>() * b.Size;
            seen += b.Size;
        }, limit);
        return sum / seen;
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        _heads!.Save(writer);
        writer.Write(_estimatedAt);
        writer.Write(_weights?.Length ?? 0);
        foreach (var w in _weights ?? []) writer.Write(w);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _heads!.Load(reader);
        _estimatedAt = reader.ReadInt32();
        int n = reader.ReadInt32();
        _weights = n == 0 ? null : Enumerable.Range(0, n).Select(_ => reader.ReadDouble()).ToArray();
    }
}
