using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="Agm"/>.</summary>
public sealed record AgmOptions : IMethodOptions
{
    /// <summary>α of the coefficient k_m = exp(α·min(r̄_m − r_m, c)) (author, lihongcs/AGM issue #10: 1.5 for CREMA-D).</summary>
    public double Alpha { get; init; } = 1.5;

    /// <summary>c, the cap on r̄_m − r_m (released CREMA-D script 10, UR-Funny 7, AV-MNIST/MOSEI none); null means no cap.</summary>
    public double? Cap { get; init; } = 10;

    /// <summary>First epoch (0-based) with modulation.</summary>
    public int ModulationStart { get; init; }

    /// <summary>Last epoch (inclusive) with modulation; null means the whole run.</summary>
    public int? ModulationEnd { get; init; }

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Alpha > 0 && double.IsFinite(Alpha), nameof(Alpha), Alpha, "a positive number");
        MethodRequirements.Option(Cap is null || Cap > 0, nameof(Cap), Cap ?? 0, "a positive number or null");
        MethodRequirements.Option(ModulationStart >= 0 && (ModulationEnd is null || ModulationEnd >= ModulationStart), nameof(ModulationEnd), ModulationEnd ?? 0, $"≥ {nameof(ModulationStart)} ≥ 0");
    }
}

/// <summary>
/// AGM — Adaptive Gradient Modulation (Li, Li, Hu, Lei, Li, Zhou, "Boosting Multi-modal Model Performance with Adaptive
/// Gradient Modulation", ICCV 2023). The fused output is split into mono-modal responses by the Shapley value over
/// zero-masked passes, o_m = Σ_{S⊆N∖{m}} |S|!(M−|S|−1)!/M!·[F(S∪{m}) − F(S)] + F(∅)/M, so that Σ_m o_m = F(N) (the released
/// <c>Modality_Audio</c>/<c>Modality_Visual</c>; F(∅)/M is the released code's share of the all-absent pass). Per step:
/// s_m = mean_n −log softmax(o_m^n)[y_n] (probabilities floored at 1e-8), r_m = exp(M/(M−1)·(s̄ − s_m)) with s̄ the mean over
/// modalities, r̄_m the same of the running means S̄_m of s_m over all earlier steps, and k_m = exp(α·min(r̄_m − r_m, c)).
/// The gradient reaching o_m is multiplied by k_m (the released backward hooks): the training output is
/// ŷ = Σ_m [k_m·o_m + (1 − k_m)·sg(o_m)], equal to F(N) in value. Masked passes run the fusion and head in evaluation mode,
/// as the released code does. Costs 2^M − 1 extra fusion+head passes per step.
/// <para>Deviation: the released code zero-pads the <i>inputs</i> of absent modalities; we zero their encoder
/// <i>features</i> (the kit's one unimodal route, cheaper). Classification only (scores are class log-probabilities).</para>
/// </summary>
public sealed class Agm : BalancingMethod<AgmOptions>
{
    private double[] _running = [];   // S̄_m
    private long _iterations;

    /// <summary>AGM with <paramref name="options"/>.</summary>
    public Agm(AgmOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Agm;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its mono-modal scores are log-probabilities of the true class");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        _running = new double[context.Model.ModalityCount];
    }

    /// <summary>The Shapley weight |S|!(M−|S|−1)!/M! of a coalition of size <paramref name="size"/>.</summary>
    public static double ShapleyWeight(int size, int modalities) =>
        Factorial(size) * Factorial(modalities - size - 1) / Factorial(modalities);

    /// <summary>
    /// o_m from the outputs of every coalition: <paramref name="coalitions"/>[S] is F(S) for the bitmask S (bit i = modality i present).
    /// </summary>
    public static Tensor Response(IReadOnlyList<Tensor> coalitions, int modality, int modalities)
    {
        if (coalitions.Count != 1 << modalities)
            throw new ArgumentException($"Expected 2^{modalities} coalition outputs, got {coalitions.Count}.", nameof(coalitions));
        int bit = 1 << modality;
        var o = coalitions[0] / modalities;
        for (int s = 0; s < coalitions.Count; s++)
        {
            if ((s & bit) != 0) continue;
            o = o + ShapleyWeight(System.Numerics.BitOperations.PopCount((uint)s), modalities) * (coalitions[s | bit] - coalitions[s]);
        }
        return o;
    }

    /// <summary>
    /// r_m = exp(M/(M−1)·(mean(s) − s_m)), r̄_m likewise from <paramref name="running"/>, k_m = exp(α·min(r̄_m − r_m, c)).
    /// </summary>
    public static (double[] K, double[] Ratio, double[] Target) Coefficients(IReadOnlyList<double> scores, IReadOnlyList<double> running, double alpha, double? cap)
    {
        int m = scores.Count;
        double f = m / (m - 1.0), mean = scores.Average(), runningMean = running.Average();
        var ratio = scores.Select(s => Math.Exp(f * (mean - s))).ToArray();
        var target = running.Select(s => Math.Exp(f * (runningMean - s))).ToArray();
        var k = ratio.Select((r, i) => Math.Exp(alpha * Math.Min(target[i] - r, cap ?? double.PositiveInfinity))).ToArray();
        return (k, ratio, target);
    }

    /// <summary>ŷ = Σ_m [k_m·o_m + (1 − k_m)·sg(o_m)]: value Σ_m o_m, gradient into o_m scaled by k_m.</summary>
    public static Tensor Modulate(IReadOnlyList<Tensor> responses, IReadOnlyList<double> k)
    {
        Tensor? sum = null;
        for (int m = 0; m < responses.Count; m++)
        {
            var term = k[m] * responses[m] + (1 - k[m]) * responses[m].detach();
            sum = sum is null ? term : sum + term;
        }
        return sum!;
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        var model = Context.Model;
        int m = model.ModalityCount, full = (1 << m) - 1;
        var features = model.Encode(step.Batch.Modalities);
        var whole = model.FromFeatures(features);
        var coalitions = new Tensor[1 << m];
        coalitions[full] = whole.Prediction;
        model.Fusion.eval();
        model.Head.eval();
        try
        {
            for (int s = 0; s < full; s++)
                coalitions[s] = ZeroMasking.Keep(model, features, Enumerable.Range(0, m).Select(i => (s & (1 << i)) != 0).ToArray()).Prediction;
        }
        finally
        {
            model.Fusion.train();
            model.Head.train();
        }
        var responses = Enumerable.Range(0, m).Select(i => Response(coalitions, i, m)).ToArray();
        var scores = MeanNegativeLogLikelihood(responses, step.Batch.Target);
        var (k, ratio, target) = Coefficients(scores, _running, Hyperparameters.Alpha, Hyperparameters.Cap);
        _iterations++;
        for (int i = 0; i < m; i++) _running[i] = _running[i] * (_iterations - 1) / _iterations + scores[i] / _iterations;
        bool active = step.Epoch >= Hyperparameters.ModulationStart && (Hyperparameters.ModulationEnd is null || step.Epoch <= Hyperparameters.ModulationEnd);
        if (!active) k = Enumerable.Repeat(1.0, m).ToArray();
        step.Diagnostics.Coefficients = torch.tensor(k);
        step.Diagnostics.Extra["score"] = torch.tensor(scores);
        step.Diagnostics.Extra["ratio"] = torch.tensor(ratio);
        step.Diagnostics.Extra["target_ratio"] = torch.tensor(target);
        return new MultimodalOutput(Modulate(responses, k), features, whole.Fused);
    }

    /// <summary>s_m = mean_n −log max(softmax(o_m^n)[y_n], 1e-8), one host value per modality.</summary>
    private static double[] MeanNegativeLogLikelihood(Tensor[] responses, Tensor labels)
    {
        using var _ = no_grad();
        var s = torch.stack(responses.Select(o => nn.functional.softmax(o, 1).gather(1, labels.reshape(-1, 1)).clamp_min(1e-8).log().neg().mean()).ToArray());
        return s.to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    private static double Factorial(int n)
    {
        double f = 1;
        for (int i = 2; i <= n; i++) f *= i;
        return f;
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_iterations);
        writer.Write(_running.Length);
        foreach (var v in _running) writer.Write(v);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _iterations = reader.ReadInt64();
        int m = reader.ReadInt32();
        if (m != _running.Length) throw new InvalidDataException($"The checkpoint's AGM state has {m} modalities but the model has {_running.Length}.");
        for (int i = 0; i < m; i++) _running[i] = reader.ReadDouble();
    }
}
