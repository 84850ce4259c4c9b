using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM — Classifier-guided Gradient Modulation (Guo, Jin, Chen, Zhao, NeurIPS 2024, arXiv 2411.01409), the parts both
/// variants share. A classifier f_i on each encoder's detached features h_i measures how fast each modality improves
/// (ε_i, Δε_i, Eq. 5–6); the balancing term B_i (Eq. 7) rescales encoder i's gradient (magnitude, Eq. 8) and weighs the
/// direction loss 𝓛_gm (Eq. 11–12), which pulls the head's update toward the lagging modalities: 𝓛 = 𝓛_task + λ·𝓛_gm (Eq. 13).
/// The two variants differ in when and on what the direction term is taken, so each is its own small class:
/// <see cref="PaperCggm"/> (Eq. 6–13 as written) and <see cref="ReferenceCggm"/> (what github.com/zrguo/CGGM @21e428c runs);
/// <see cref="Create"/> picks one from <see cref="CggmOptions.Variant"/>. The equation-to-member map is in this folder's README.
/// </summary>
public abstract class CggmMethod : BalancingMethod<CggmOptions>
{
    private ModalityClassifierSet? _classifiers;
    private Tensor? _previousUtilization;   // ε^{t−1} (or ε̂^{t−1} with UtilizationEma), [M], float64
    private Tensor? _utilizationAverage;    // ε̄^t with UtilizationEma, [M], float64
    private int _averagedSteps;             // t of ε̄^t

    /// <summary>CGGM with validated <paramref name="options"/>.</summary>
    private protected CggmMethod(CggmOptions options) : base(options) { }

    /// <summary>The variant <paramref name="options"/> names (default options: the paper's).</summary>
    public static CggmMethod Create(CggmOptions? options = null)
    {
        options ??= new CggmOptions();
        return options.Variant == CggmVariant.Paper ? new PaperCggm(options) : new ReferenceCggm(options);
    }

    /// <inheritdoc />
    public override string Name => Hyperparameters.Variant == CggmVariant.Paper ? MethodNames.Cggm : MethodNames.CggmReference;

    /// <inheritdoc />
    public override bool ModifiesEncoderGradients => Hyperparameters.Rho is not null;

    /// <inheritdoc />
    public override ModalityClassifierSet? Classifiers => _classifiers;

    /// <summary>f_1..f_M (attached).</summary>
    private protected ModalityClassifierSet ClassifierSet => _classifiers ?? throw new InvalidOperationException($"{Name} is not attached to a trainer yet.");

    /// <summary>ρ, or 1 when magnitude modulation is off (B then only weighs 𝓛_gm).</summary>
    private protected double RhoOrOne => Hyperparameters.Rho ?? 1.0;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        if (context.Model.ModalityCount < 2)
            throw new ArgumentException($"CGGM needs at least two modalities: B (Eq. 7) compares each modality's improvement with the others'. The model has M = {context.Model.ModalityCount}.");
        base.Attach(context);
        _classifiers = new ModalityClassifierSet(context.Model, context.Task, Hyperparameters.ClassifierOptimizer, context.Device);
        _previousUtilization = torch.zeros(context.Model.ModalityCount, ScalarType.Float64, context.Device).DetachFromDisposeScope();
        if (Hyperparameters.UtilizationEma is not null)
            _utilizationAverage = torch.zeros(context.Model.ModalityCount, ScalarType.Float64, context.Device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Δε^t and B^t from this step's ε^t (Eq. 6–7), remembering ε^t for the next step (with <see cref="CggmOptions.UtilizationEma"/>,
    /// from the smoothed ε̂^t); recorded in the step's diagnostics (ε as measured on the batch).
    /// </summary>
    private protected Tensor UpdateCoefficients(StepState step, Tensor utilization, double rho)
    {
        var compared = utilization;
        if (Hyperparameters.UtilizationEma is { } beta)
        {
            var average = beta * _utilizationAverage! + (1 - beta) * utilization;
            _utilizationAverage!.Dispose();
            _utilizationAverage = average.detach().DetachFromDisposeScope();
            _averagedSteps++;
            compared = _utilizationAverage / (1 - Math.Pow(beta, _averagedSteps));
        }
        var delta = BalancingCoefficients.Improvement(compared, _previousUtilization!);
        var b = BalancingCoefficients.Compute(delta, rho, Hyperparameters.GuardEnabled, Hyperparameters.GuardThreshold);
        _previousUtilization!.Dispose();
        _previousUtilization = compared.detach().clone().DetachFromDisposeScope();
        step.Diagnostics.Utilization = utilization;
        step.Diagnostics.DeltaUtilization = delta;
        step.Diagnostics.Coefficients = b;
        return b;
    }

    /// <summary>Eq. 8 with B = <paramref name="b"/>, unless ρ is null (direction only).</summary>
    private protected void ScaleEncoders(Tensor b)
    {
        if (Hyperparameters.Rho is not null) EncoderGradientScaling.Apply(Context.EncoderParameters, b);
    }

    /// <summary>cos_i = sim(W_{f_i}, W_𝓕) on the output-layer weights, <c>[M]</c>, with <paramref name="head"/> as W_𝓕 (the released <c>cal_cos</c>, in its argument order).</summary>
    private protected Tensor WeightCosines(Tensor head) =>
        torch.stack(ClassifierSet.Classifiers.Select(c => GradientTools.Cosine(c.OutputWeight.detach(), head)).ToArray());

    /// <inheritdoc />
    public sealed override void SaveState(BinaryWriter writer)
    {
        ClassifierSet.Save(writer);
        _previousUtilization!.Save(writer);
        if (_utilizationAverage is not null) { _utilizationAverage.Save(writer); writer.Write(_averagedSteps); }
        SaveLag(writer);
    }

    /// <inheritdoc />
    public sealed override void LoadState(BinaryReader reader)
    {
        ClassifierSet.Load(reader);
        _previousUtilization!.Dispose();
        _previousUtilization = Tensor.Load(reader).to(Context.Device).DetachFromDisposeScope();
        if (_utilizationAverage is not null)
        {
            _utilizationAverage.Dispose();
            _utilizationAverage = Tensor.Load(reader).to(Context.Device).DetachFromDisposeScope();
            _averagedSteps = reader.ReadInt32();
        }
        LoadLag(reader);
    }

    /// <summary>Writes the state one step carries to the next besides ε^{t−1} (a flag, then the tensors when set).</summary>
    private protected virtual void SaveLag(BinaryWriter writer) => writer.Write(false);

    /// <summary>Restores what <see cref="SaveLag"/> wrote.</summary>
    private protected virtual void LoadLag(BinaryReader reader)
    {
        if (reader.ReadBoolean()) throw new InvalidDataException("This checkpoint carries the Reference variant's lagged direction term; resume it with cggm-reference.");
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _previousUtilization?.Dispose();
        _utilizationAverage?.Dispose();
        base.Dispose();
    }
}
