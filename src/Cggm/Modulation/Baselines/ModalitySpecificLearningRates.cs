using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>The three MSLR strategies of Yao and Mihalcea (2022, §3.2–3.4).</summary>
public enum MslrStrategy
{
    /// <summary>Each modality keeps its own rate α_m = r_m·α for the whole run (§3.2).</summary>
    Keep,

    /// <summary>The rates are moved toward their mean: r_m ← (1 − s)·r_m + s·mean(r) (§3.3; the paper picks the smoothed rates by hand).</summary>
    Smooth,

    /// <summary>Start from Keep and rescale after every epoch by the unimodal validation trend (§3.4, Eq. 2).</summary>
    Dynamic,
}

/// <summary>Hyperparameters of <see cref="ModalitySpecificLearningRates"/>.</summary>
public sealed record MslrOptions : IMethodOptions
{
    /// <summary>Keep, Smooth or Dynamic (default Dynamic, the paper's adaptive strategy).</summary>
    public MslrStrategy Strategy { get; init; } = MslrStrategy.Dynamic;

    /// <summary>
    /// r_m: each encoder's learning rate as a multiple of the run's rate (α_m = r_m·α). The paper uses the best rate found
    /// for each modality alone; null means 1 for every modality (set them from unimodal runs, e.g. <c>--set mslr.multipliers=[1,3]</c>).
    /// </summary>
    public double[]? Multipliers { get; init; }

    /// <summary>s of the Smooth strategy, the share of the way toward the mean rate (0.5 is our choice; the paper gives rates, not a rule).</summary>
    public double SmoothFactor { get; init; } = 0.5;

    /// <summary>Dynamic: the number of previous epochs whose mean validation performance divides the current one (paper: 5 to 10; its experiments use 5).</summary>
    public int Window { get; init; } = 5;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Multipliers is null || Multipliers.All(r => r > 0 && double.IsFinite(r)), nameof(Multipliers), Multipliers is null ? "null" : string.Join(",", Multipliers), "positive numbers");
        MethodRequirements.Option(SmoothFactor is >= 0 and <= 1, nameof(SmoothFactor), SmoothFactor, "a value in [0, 1]");
        MethodRequirements.Option(Window >= 1, nameof(Window), Window, "at least 1");
    }
}

/// <summary>
/// MSLR — Modality-Specific Learning Rates (Yao and Mihalcea, "Modality-specific Learning Rates for Effective Multimodal
/// Additive Late-fusion", Findings of ACL 2022). Each encoder φ_m trains with its own rate α_m = r_m·α while the fusion and
/// head keep the run's rate α. Dynamic (Eq. 2): α_{t,m} = α_{0,m}·ρ_{t,m}, where ρ_{t,m} is modality m's unimodal
/// validation performance at epoch t divided by its mean over the previous <see cref="MslrOptions.Window"/> epochs (1 until
/// that many epochs exist). Unimodal predictions use zero-masking (𝓕(Ω([0, …, h_m, …, 0])), our heads are MLPs, not the
/// paper's additive sum of unimodal heads) and performance is the task's utilization metric ε (accuracy, Acc-2, Dice).
/// <para>A per-parameter-group rate is applied by scaling the update: θ_m ← θ_m^old + r_m·(θ_m^new − θ_m^old) after the
/// optimizer step. For SGD (momentum buffers hold gradients) and Adam/AdamW (the step is α·m̂/(√v̂ + ε), weight decay
/// included) this equals stepping with rate r_m·α, whatever the optimizer. CXianRen/AMST's port compounds the factor
/// into the current rate every window; the paper scales the initial rate α_{0,m}, which is what this class does.</para>
/// Defined for every task kind and any M ≥ 2.
/// </summary>
public sealed class ModalitySpecificLearningRates : BalancingMethod<MslrOptions>
{
    private double[] _base = [];
    private double[] _current = [];
    private readonly List<double[]> _history = [];   // ε_m on validation, one entry per finished epoch
    private Tensor[][]? _before;                     // θ_m^old of this step

    /// <summary>MSLR with <paramref name="options"/>.</summary>
    public ModalitySpecificLearningRates(MslrOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Mslr;

    /// <summary>The multipliers r_m in use this epoch.</summary>
    public IReadOnlyList<double> CurrentMultipliers => _current;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        int m = context.Model.ModalityCount;
        var given = Hyperparameters.Multipliers ?? Enumerable.Repeat(1.0, m).ToArray();
        if (given.Length != m)
            throw new ArgumentException($"MSLR has {given.Length} learning-rate multipliers but the model has {m} modalities; give one per modality.");
        base.Attach(context);
        _base = BaseMultipliers(Hyperparameters.Strategy, given, Hyperparameters.SmoothFactor);
        _current = (double[])_base.Clone();
    }

    /// <summary>Keep: r; Smooth: (1 − s)·r + s·mean(r); Dynamic starts from Keep.</summary>
    public static double[] BaseMultipliers(MslrStrategy strategy, IReadOnlyList<double> multipliers, double smoothFactor)
    {
        double mean = multipliers.Average();
        return strategy == MslrStrategy.Smooth
            ? multipliers.Select(r => (1 - smoothFactor) * r + smoothFactor * mean).ToArray()
            : multipliers.ToArray();
    }

    /// <summary>
    /// Eq. 2: r_{t,m} = r_{0,m}·ε_m(t) / mean(ε_m(t − W), …, ε_m(t − 1)), or r_{0,m} while fewer than W earlier epochs exist
    /// (or their mean is 0). <paramref name="history"/> holds ε per finished epoch, the current epoch last.
    /// </summary>
    public static double[] DynamicMultipliers(IReadOnlyList<double> initial, IReadOnlyList<double[]> history, int window)
    {
        var result = initial.ToArray();
        if (history.Count < window + 1) return result;
        var current = history[^1];
        for (int m = 0; m < result.Length; m++)
        {
            double previous = 0;
            for (int k = history.Count - 1 - window; k < history.Count - 1; k++) previous += history[k][m];
            previous /= window;
            if (previous > 0) result[m] = initial[m] * current[m] / previous;
        }
        return result;
    }

    /// <summary>θ ← θ^old + r·(θ^new − θ^old), in place.</summary>
    public static void ScaleUpdate(Tensor parameter, Tensor before, double multiplier)
    {
        using var _ = no_grad();
        parameter.sub_(before).mul_(multiplier).add_(before);
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var encoders = Context.EncoderParameters;
        _before = encoders.Select((group, m) => _current[m] == 1.0 ? [] : group.Select(p => p.detach().clone()).ToArray()).ToArray();
        step.Diagnostics.Extra["lr_multiplier"] = torch.tensor(_current);
    }

    /// <inheritdoc />
    public override void AfterOptimizerStep(StepState step)
    {
        var encoders = Context.EncoderParameters;
        for (int m = 0; m < encoders.Count; m++)
            for (int i = 0; i < _before![m].Length; i++)
                ScaleUpdate(encoders[m][i], _before[m][i], _current[m]);
        _before = null;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch)
    {
        if (Hyperparameters.Strategy != MslrStrategy.Dynamic) return;
        _history.Add(UnimodalValidationUtilization());
        _current = DynamicMultipliers(_base, _history, Hyperparameters.Window);
    }

    /// <summary>ε_m of each zero-masked unimodal prediction on the validation split (sample-weighted over batches).</summary>
    private double[] UnimodalValidationUtilization()
    {
        var model = Context.Model;
        var sums = new double[model.ModalityCount];
        int seen = 0;
        model.eval();
        try
        {
            using var _ = no_grad();
            SplitPasses.ForEachBatch(Context.Valid, Context.Options.EffectiveEvalBatchSize, Context.Device, shuffle: false, 0, 0, batch =>
            {
                var features = model.Encode(batch.Modalities);
                for (int m = 0; m < sums.Length; m++)
                    sums[m] += Context.Task.Utilization(ZeroMasking.Only(model, features, m).Prediction, batch.Target).to(ScalarType.Float64).item<double>() * batch.Size;
                seen += batch.Size;
            });
        }
        finally
        {
            model.train();
        }
        return sums.Select(s => s / seen).ToArray();
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_current.Length);
        foreach (var r in _current) writer.Write(r);
        writer.Write(_history.Count);
        foreach (var h in _history) foreach (var v in h) writer.Write(v);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        int m = reader.ReadInt32();
        if (m != _base.Length) throw new InvalidDataException($"The checkpoint's MSLR state has {m} modalities but the model has {_base.Length}.");
        _current = Enumerable.Range(0, m).Select(_ => reader.ReadDouble()).ToArray();
        int epochs = reader.ReadInt32();
        _history.Clear();
        for (int e = 0; e < epochs; e++) _history.Add(Enumerable.Range(0, m).Select(_ => reader.ReadDouble()).ToArray());
    }
}
