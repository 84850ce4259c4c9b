using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="Qmf"/>.</summary>
public sealed record QmfOptions : IMethodOptions
{
    /// <summary>λ, the weight of the confidence ranking loss (released <c>--lamb</c> 0.1).</summary>
    public double Lambda { get; init; } = 0.1;

    /// <summary>T in w_m = logsumexp(f_m)/T, the energy temperature (released: 0.1·(−energy), i.e. T = 10).</summary>
    public double Temperature { get; init; } = 10;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Lambda >= 0 && double.IsFinite(Lambda), nameof(Lambda), Lambda, "≥ 0");
        MethodRequirements.Option(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), Temperature, "a positive number");
    }
}

/// <summary>
/// QMF — Quality-aware Multimodal Fusion (Zhang, Wu, Zhang, Hu, Fu, Zhou, Peng, "Provable Dynamic Fusion for Low-Quality
/// Multimodal Data", ICML 2023; released github.com/QingyangZhang/QMF). Each modality has a classifier f_m on its
/// features; its energy-based confidence w_m^n = −E(f_m^n)/T = logsumexp(f_m^n)/T weighs a decision-level fusion
/// ŷ = Σ_m w_m ⊙ f_m (released <c>models/QMF.py</c>, weights not detached). Loss:
/// 𝓛 = CE(ŷ) + Σ_m CE(f_m) + λ·Σ_m 𝓛_rank,m, where 𝓛_rank,m is the released margin ranking loss between each sample n and
/// its neighbour n' in the batch (<c>torch.roll</c>): with the per-sample cumulative losses c (min–max normalised over the
/// training set), target t = sign(c_n − c_{n'}), margin μ = |c_n − c_{n'}| and
/// 𝓛_rank = mean max(0, t·(w_n − w_{n'} − μ/t')), t' = t or 1 when t = 0 (samples that have lost more are pushed to lower
/// confidence). The history c_m adds each sample's detached loss after the ranking loss is computed, as released.
/// <para>Route: auxiliary heads from <see cref="MultimodalModel.CreateModalityClassifier"/> (QMF's classifiers are
/// separate per modality); the model's fusion and head are not used, QMF's confidence-weighted sum replaces them. The
/// paper text was not available to us; this follows the released code. Guard (ours): when every history value is equal
/// (the first step) the normalisation 0/0 is taken as 0, where the released code produces NaN. Classification only (the
/// energy is the log-sum-exp of class logits).</para>
/// </summary>
public sealed class Qmf : BalancingMethod<QmfOptions>
{
    private ModalityClassifierSet? _heads;
    private double[][] _history = [];   // c_m per training sample

    /// <summary>QMF with <paramref name="options"/>.</summary>
    public Qmf(QmfOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Qmf;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _heads;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its confidence is the energy (log-sum-exp) of class logits");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _heads = new ModalityClassifierSet(context.Model, context.Task, context.Options.Optimizer, context.Device);
        _history = Enumerable.Range(0, context.Model.ModalityCount).Select(_ => new double[context.Train.Count]).ToArray();
    }

    /// <summary>w = logsumexp(logits)/T per sample, <c>[B, 1]</c>.</summary>
    public static Tensor Confidence(Tensor logits, double temperature) => torch.logsumexp(logits, 1, keepdim: true) / temperature;

    /// <summary>ŷ = Σ_m w_m ⊙ f_m.</summary>
    public static Tensor Fuse(IReadOnlyList<Tensor> logits, IReadOnlyList<Tensor> confidences)
    {
        Tensor? sum = null;
        for (int m = 0; m < logits.Count; m++) sum = sum is null ? confidences[m] * logits[m] : sum + confidences[m] * logits[m];
        return sum!;
    }

    /// <summary>
    /// The ranking loss for confidences w <c>[B]</c> of samples whose history values are <paramref name="history"/> (same order)
    /// within a whole history with minimum <paramref name="min"/> and maximum <paramref name="max"/>.
    /// </summary>
    public static Tensor RankLoss(Tensor confidence, IReadOnlyList<double> history, double min, double max)
    {
        int b = history.Count;
        double range = max - min;
        var normalized = history.Select(c => range > 0 ? (c - min) / range : 0.0).ToArray();
        var target = new float[b];
        var shift = new float[b];
        for (int n = 0; n < b; n++)
        {
            double a = normalized[n], c = normalized[(n + 1) % b];
            double t = a > c ? 1 : a < c ? -1 : 0;
            target[n] = (float)t;
            shift[n] = (float)(Math.Abs(a - c) / (t == 0 ? 1 : t));
        }
        var w = confidence.reshape(-1);
        var neighbour = w.roll(-1, 0) + torch.tensor(shift, device: w.device);
        var t2 = torch.tensor(target, device: w.device);
        return (t2 * (w - neighbour)).clamp_min(0).mean();
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        var features = Context.Model.Encode(step.Batch.Modalities);
        var logits = features.Select((h, m) => _heads!.Classifiers[m].call(h)).ToArray();
        var confidences = logits.Select(l => Confidence(l, Hyperparameters.Temperature)).ToArray();
        _logits = logits;
        _confidences = confidences;
        var fused = Fuse(logits, confidences);
        return new MultimodalOutput(fused, features, fused);
    }

    private Tensor[]? _logits, _confidences;

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        foreach (var h in _heads!.Classifiers) h.zero_grad();
        var labels = step.Batch.Target;
        var indices = step.Indices;
        var loss = step.TaskLoss!;
        var rank = new Tensor[_logits!.Length];
        for (int m = 0; m < _logits.Length; m++)
        {
            loss = loss + nn.functional.cross_entropy(_logits[m], labels);
            var h = _history[m];
            rank[m] = RankLoss(_confidences![m], indices.Select(i => h[i]).ToArray(), h.Min(), h.Max());
            loss = loss + Hyperparameters.Lambda * rank[m];
        }
        using (no_grad())
        {
            for (int m = 0; m < _logits.Length; m++)
            {
                var perSample = nn.functional.cross_entropy(_logits[m], labels, reduction: nn.Reduction.None).to(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int n = 0; n < indices.Count; n++) _history[m][indices[n]] += perSample[n];
            }
        }
        step.Diagnostics.Extra["confidence"] = torch.stack(_confidences!.Select(c => c.detach().mean()).ToArray());
        step.Diagnostics.Extra["rank_loss"] = torch.stack(rank.Select(r => r.detach()).ToArray());
        _logits = _confidences = null;
        return loss;
    }

    /// <inheritdoc />
    public override void AfterOptimizerStep(StepState step) => _heads!.Step();

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs)
    {
        var features = Context.Model.Encode(inputs);
        var logits = _heads!.Predict(features);
        var fused = Fuse(logits, logits.Select(l => Confidence(l, Hyperparameters.Temperature)).ToArray());
        return new MultimodalOutput(fused, features, fused);
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        _heads!.Save(writer);
        writer.Write(_history.Length);
        writer.Write(_history.Length == 0 ? 0 : _history[0].Length);
        foreach (var h in _history) foreach (var v in h) writer.Write(v);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _heads!.Load(reader);
        int m = reader.ReadInt32(), n = reader.ReadInt32();
        if (m != _history.Length || (m > 0 && n != _history[0].Length))
            throw new InvalidDataException($"The checkpoint's QMF history is {m}×{n} but this run has {_history.Length} modalities × {Context.Train.Count} training samples.");
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) _history[i][j] = reader.ReadDouble();
    }
}
