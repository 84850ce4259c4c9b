using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="Greedy"/>.</summary>
public sealed record GreedyOptions : IMethodOptions
{
    /// <summary>ε: re-balancing starts when the spread of conditional learning speeds exceeds it (released <c>epsilon</c> 0.01).</summary>
    public double Epsilon { get; init; } = 0.01;

    /// <summary>Q: the number of re-balancing steps in a row (released <c>curation_windowsize</c> 5).</summary>
    public int Window { get; init; } = 5;

    /// <summary>First epoch (0-based) in which re-balancing may start (released <c>starting_epoch</c> 2).</summary>
    public int StartEpoch { get; init; } = 2;

    /// <summary>The MMTM reduction ratio r (released models: 4).</summary>
    public int Ratio { get; init; } = 4;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Epsilon >= 0, nameof(Epsilon), Epsilon, "≥ 0");
        MethodRequirements.Option(Window >= 1, nameof(Window), Window, "≥ 1");
        MethodRequirements.Option(StartEpoch >= 0, nameof(StartEpoch), StartEpoch, "≥ 0");
        MethodRequirements.Option(Ratio >= 1, nameof(Ratio), Ratio, "≥ 1");
    }
}

/// <summary>
/// Greedy — balanced multimodal learning against the greedy nature of multimodal networks (Wu, Jastrzębski, Cho, Geras,
/// "Characterizing and overcoming the greedy nature of learning in multi-modal deep neural networks", ICML 2022;
/// released <c>Bias_Mitigation_Strong</c>). Conditional learning speed of modality m from the accumulated relative
/// gradient sizes of its cross-modal bypass (MMTM) and its own branch:
/// BDR_m = log10( Σ_t ‖∇θ_bypass,m‖²/‖θ_bypass,m‖² ÷ Σ_t ‖∇θ_main,m‖²/‖θ_main,m‖² ) (the shared squeeze counts for every
/// modality). From <see cref="GreedyOptions.StartEpoch"/> on, when max_m BDR_m − min_m BDR_m &gt; ε, the next Q steps are
/// re-balancing steps for the caring modality c = argmax_m BDR_m: its MMTM gate is replaced by its running average, so its
/// branch cannot lean on the other modalities (for M = 2 this is the released d = BDR_0 − BDR_1 rule). The accumulators
/// are not updated during re-balancing steps, as released.
/// <para>Deviation, stated plainly: the paper's networks have MMTM blocks between intermediate layers of the two branches.
/// The kit's models are late-fusion (encoder → fusion → head) and expose no intermediate branch layers, so this method adds
/// one MMTM block on the encoder outputs, h̃ = MMTM(h_1, …, h_M), before the model's fusion; "main" parameters are the
/// encoders θ^{φ_m}, "bypass" parameters are the block's. The block is trained with the run's optimizer settings (its own
/// optimizer, following the run's learning rate), is part of evaluation and of the best-epoch snapshot. The paper's
/// three-modality case is not defined; the argmax/spread rule above is our extension. Defined for every task kind.</para>
/// </summary>
public sealed class Greedy : BalancingMethod<GreedyOptions>
{
    private MmtmBlock? _block;
    private optim.Optimizer? _optimizer;
    private double[] _bypass = [], _main = [];
    private int _rebalanceStep;

    /// <summary>Greedy with <paramref name="options"/>.</summary>
    public Greedy(GreedyOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Greedy;

    /// <summary>The MMTM block (after <see cref="Attach"/>).</summary>
    public MmtmBlock? Block => _block;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        long[] channels;
        context.Model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var sample = context.Train.Load([0], context.Device);
            channels = context.Model.Encode(sample.Modalities).Select(h => h.dim() >= 2 ? h.shape[1] : 1L).ToArray();
        }
        finally
        {
            context.Model.train();
        }
        _block = new MmtmBlock(channels, Hyperparameters.Ratio);
        _block.to(context.Device);
        _block.MoveRunningGates(context.Device);
        _optimizer = context.Options.Optimizer.Create(_block.parameters());
        _bypass = new double[channels.Length];
        _main = new double[channels.Length];
    }

    /// <summary>BDR_m = log10(bypass_m / main_m) from the accumulated relative gradient sizes.</summary>
    public static double[] ConditionalLearningSpeed(IReadOnlyList<double> bypass, IReadOnlyList<double> main) =>
        bypass.Select((b, m) => Math.Log10(b / main[m])).ToArray();

    /// <summary>The caring modality argmax_m BDR_m when max − min &gt; ε, else null.</summary>
    public static int? Caring(IReadOnlyList<double> bdr, double epsilon)
    {
        double max = bdr.Max(), min = bdr.Min();
        return max - min > epsilon ? bdr.ToList().IndexOf(max) : null;
    }

    /// <summary>‖∇θ‖² / ‖θ‖² summed over a parameter group (0 when no gradient).</summary>
    public static double RelativeGradientSize(IEnumerable<Parameter> parameters)
    {
        double g = 0, w = 0;
        using var _ = no_grad();
        foreach (var p in parameters)
        {
            w += p.pow(2).sum().item<float>();
            if (p.grad is { } grad) g += grad.pow(2).sum().item<float>();
        }
        return w == 0 ? 0 : g / w;
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        _block!.train();
        var features = Context.Model.Encode(step.Batch.Modalities);
        var output = Context.Model.FromFeatures(_block.call(features));
        step.Diagnostics.Extra["caring"] = torch.tensor(_block.Caring ?? -1.0);
        return output with { Features = features };
    }

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs)
    {
        _block!.eval();
        try
        {
            var features = Context.Model.Encode(inputs);
            return Context.Model.FromFeatures(_block.call(features)) with { Features = features };
        }
        finally
        {
            _block.train();
        }
    }

    /// <inheritdoc />
    public override void AfterBackward(StepState step)
    {
        var block = _block!;
        if (block.Caring is not null && step.Epoch >= Hyperparameters.StartEpoch)
        {
            if (++_rebalanceStep >= Hyperparameters.Window) block.Caring = null;
            return;
        }
        block.Caring = null;
        for (int m = 0; m < _bypass.Length; m++)
        {
            _bypass[m] += RelativeGradientSize(block.SharedParameters.Concat(block.ModalityParameters(m)));
            _main[m] += RelativeGradientSize(Context.EncoderParameters[m]);
        }
        var bdr = ConditionalLearningSpeed(_bypass, _main);
        step.Diagnostics.Extra["bdr"] = torch.tensor(bdr);
        if (step.Epoch < Hyperparameters.StartEpoch) return;
        block.Caring = Caring(bdr, Hyperparameters.Epsilon);
        _rebalanceStep = 0;
    }

    /// <inheritdoc />
    public override void AfterOptimizerStep(StepState step)
    {
        SplitPasses.FollowLearningRate(_optimizer!, Context.Optimizer);
        _optimizer!.step();
        _block!.zero_grad();   // to None: in re-balancing steps the cared gate gets no gradient and must not move (as after a resume)
    }

    /// <inheritdoc />
    public override void SaveWeights(BinaryWriter writer) => _block!.save(writer);

    /// <inheritdoc />
    public override void LoadWeights(BinaryReader reader) => _block!.load(reader);

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        _block!.save(writer);
        _block.SaveRunning(writer);
        OptimizerCheckpoint.Save(_optimizer!, writer);
        writer.Write(_block.Caring ?? -1);
        writer.Write(_rebalanceStep);
        writer.Write(_bypass.Length);
        for (int m = 0; m < _bypass.Length; m++) { writer.Write(_bypass[m]); writer.Write(_main[m]); }
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _block!.load(reader);
        _block.LoadRunning(reader);
        OptimizerCheckpoint.Load(_optimizer!, reader);
        int caring = reader.ReadInt32();
        _block.Caring = caring < 0 ? null : caring;
        _rebalanceStep = reader.ReadInt32();
        int m = reader.ReadInt32();
        if (m != _bypass.Length) throw new InvalidDataException($"The checkpoint's Greedy state has {m} modalities but the model has {_bypass.Length}.");
        for (int i = 0; i < m; i++) { _bypass[i] = reader.ReadDouble(); _main[i] = reader.ReadDouble(); }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _block?.Dispose();
        _optimizer?.Dispose();
        base.Dispose();
    }
}
