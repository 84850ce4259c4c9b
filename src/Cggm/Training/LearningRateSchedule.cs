using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>How the main optimizer's learning rate changes over a run (configs hold one of these).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Constant), "constant")]
[JsonDerivedType(typeof(ReduceOnPlateau), "reduce-on-plateau")]
[JsonDerivedType(typeof(WarmupCosine), "warmup-cosine")]
public abstract record LearningRateSchedule
{
    private LearningRateSchedule() { }

    /// <summary>The base learning rate throughout.</summary>
    public sealed record Constant : LearningRateSchedule;

    /// <summary>
    /// PyTorch's <c>ReduceLROnPlateau(mode='min', threshold=1e-4 relative)</c> on the validation loss: after more than
    /// <paramref name="Patience"/> epochs without improvement, multiply the rate by <paramref name="Factor"/>
    /// (MOSI, IEMOCAP, Food: patience 10, factor 0.1).
    /// </summary>
    public sealed record ReduceOnPlateau(int Patience = 10, double Factor = 0.1) : LearningRateSchedule;

    /// <summary>
    /// Per-iteration linear warm-up from <paramref name="WarmupStart"/> to the base rate over <paramref name="WarmupEpochs"/>
    /// epochs, then cosine decay to <paramref name="Final"/> at the last iteration (the released <c>cosine_scheduler</c>, BraTS).
    /// </summary>
    public sealed record WarmupCosine(double WarmupStart, double Final, int WarmupEpochs) : LearningRateSchedule;
}

/// <summary>Applies a <see cref="LearningRateSchedule"/> to an optimizer and carries its state across checkpoints.</summary>
public sealed class LearningRateScheduler
{
    private readonly LearningRateSchedule _schedule;
    private readonly optim.Optimizer _optimizer;
    private readonly double _base;
    private readonly int _totalSteps;
    private readonly int _warmupSteps;
    private double _best = double.PositiveInfinity;
    private int _badEpochs;

    /// <summary>Drives <paramref name="optimizer"/> from base rate <paramref name="baseRate"/> over <paramref name="epochs"/> × <paramref name="stepsPerEpoch"/> steps.</summary>
    public LearningRateScheduler(LearningRateSchedule schedule, optim.Optimizer optimizer, double baseRate, int epochs, int stepsPerEpoch)
    {
        _schedule = schedule;
        _optimizer = optimizer;
        _base = baseRate;
        _totalSteps = epochs * stepsPerEpoch;
        _warmupSteps = schedule is LearningRateSchedule.WarmupCosine w ? w.WarmupEpochs * stepsPerEpoch : 0;
        Current = baseRate;
    }

    /// <summary>The rate in use.</summary>
    public double Current { get; private set; }

    /// <summary>Call before optimizer step number <paramref name="globalStep"/> (0-based).</summary>
    public void BeforeStep(int globalStep)
    {
        if (_schedule is not LearningRateSchedule.WarmupCosine w) return;
        Set(WarmupCosineRate(w, globalStep));
    }

    /// <summary>Call after each epoch's validation with its loss.</summary>
    public void AfterEpoch(double validationLoss)
    {
        if (_schedule is not LearningRateSchedule.ReduceOnPlateau p) return;
        if (validationLoss < _best * (1 - 1e-4)) { _best = validationLoss; _badEpochs = 0; }
        else if (++_badEpochs > p.Patience) { Set(Current * p.Factor); _badEpochs = 0; }
    }

    /// <summary>The warm-up/cosine rate at iteration <paramref name="step"/>: <c>np.linspace</c> warm-up, then
    /// final + ½(base − final)(1 + cos(π·j / J)) for j = 0..J−1.</summary>
    public double WarmupCosineRate(LearningRateSchedule.WarmupCosine w, int step)
    {
        if (step < _warmupSteps)
            // np.linspace(start, stop, n)[t] = t·((stop − start)/(n − 1)) + start, and exactly stop at t = n − 1.
            return _warmupSteps == 1 || step == _warmupSteps - 1 ? _base : step * ((_base - w.WarmupStart) / (_warmupSteps - 1)) + w.WarmupStart;
        int j = Math.Min(step - _warmupSteps, _totalSteps - _warmupSteps - 1), n = _totalSteps - _warmupSteps;
        return w.Final + 0.5 * (_base - w.Final) * (1 + Math.Cos(Math.PI * j / n));
    }

    private void Set(double rate)
    {
        Current = rate;
        foreach (var g in _optimizer.ParamGroups) g.LearningRate = rate;
    }

    /// <summary>Writes the scheduler state.</summary>
    public void Save(BinaryWriter writer) { writer.Write(Current); writer.Write(_best); writer.Write(_badEpochs); }

    /// <summary>Restores the scheduler state and the optimizer's rate.</summary>
    public void Load(BinaryReader reader)
    {
        Set(reader.ReadDouble());
        _best = reader.ReadDouble();
        _badEpochs = reader.ReadInt32();
    }
}
