using Cggm.Models;
using Cggm.Tasks;
using Cggm.Training;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>
/// The one contract of every balancing method (CGGM, joint training, every baseline). The trainer runs a step as
///   zero_grad → <see cref="Forward"/> → 𝓛_task → <see cref="ComposeLoss"/> → backward → (gradient norms, probes) →
///   <see cref="AfterBackward"/> → clip → optimizer step → <see cref="AfterOptimizerStep"/>,
/// and calls <see cref="OnEpochEnd"/> after each epoch. A method that changes the schedule itself sets
/// <see cref="OwnsStep"/> and implements <see cref="TrainStep"/>. The trainer knows no method by name.
/// </summary>
public abstract class BalancingMethod : IDisposable
{
    private TrainingContext? _context;

    /// <summary>The name used by <c>cggm train --method</c> and in tables.</summary>
    public abstract string Name { get; }

    /// <summary>The method's hyperparameters, saved with the run's config (null when it has none).</summary>
    public virtual object? Options => null;

    /// <summary>The run this method is attached to.</summary>
    protected TrainingContext Context => _context ?? throw new InvalidOperationException($"{Name} is not attached to a trainer yet.");

    /// <summary>Attaches the method to a run; validates that the method is defined for this model and task.</summary>
    public virtual void Attach(TrainingContext context) => _context = context;

    /// <summary>True when <see cref="AfterBackward"/> changes encoder gradients (the trainer then records their norms again).</summary>
    public virtual bool ModifiesEncoderGradients => false;

    /// <summary>The method's own modality classifiers; when null the trainer may attach passive probes.</summary>
    public virtual ModalityClassifierSet? Classifiers => null;

    /// <summary>True when the method runs the whole step in <see cref="TrainStep"/>.</summary>
    public virtual bool OwnsStep => false;

    /// <summary>The training forward pass (default: the model on the batch).</summary>
    public virtual MultimodalOutput Forward(StepState step) => Context.Model.call(step.Batch.Modalities);

    /// <summary>The loss to back-propagate: 𝓛_task plus the method's terms (default: 𝓛_task).</summary>
    public virtual Tensor ComposeLoss(StepState step) => step.TaskLoss!;

    /// <summary>Adjusts gradients after backward, before clipping and the optimizer step.</summary>
    public virtual void AfterBackward(StepState step) { }

    /// <summary>Updates the method's own state after the optimizer step.</summary>
    public virtual void AfterOptimizerStep(StepState step) { }

    /// <summary>
    /// Runs a whole training step when <see cref="OwnsStep"/> is true. A method that sets <see cref="StepState.Output"/>
    /// (its features) lets the trainer's passive probes learn from the step, as in the trainer's own steps.
    /// </summary>
    public virtual void TrainStep(StepState step) =>
        throw new InvalidOperationException($"{Name} does not own the training step.");

    /// <summary>Called after every epoch's training steps, before validation.</summary>
    public virtual void OnEpochEnd(int epoch) { }

    /// <summary>The evaluation forward pass (default: the model). Unimodal training, for example, masks the other modalities.</summary>
    public virtual MultimodalOutput EvaluationForward(Tensor[] inputs) => Context.Model.call(inputs);

    /// <summary>Writes the method's state (for checkpoints).</summary>
    public virtual void SaveState(BinaryWriter writer) => Classifiers?.Save(writer);

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    public virtual void LoadState(BinaryReader reader) => Classifiers?.Load(reader);

    /// <summary>
    /// Writes the weights of modules the method owns and inference uses (for example Greedy's MMTM block or ReconBoost's
    /// boost rate), as part of the best-epoch snapshot; the default writes nothing.
    /// </summary>
    public virtual void SaveWeights(BinaryWriter writer) { }

    /// <summary>Restores what <see cref="SaveWeights"/> wrote.</summary>
    public virtual void LoadWeights(BinaryReader reader) { }

    /// <summary>Throws a clear error when the method is used on a task kind it is not defined for.</summary>
    protected void RequireTask(LearningTask task, params string[] kinds)
    {
        if (!kinds.Contains(task.Kind))
            throw new NotSupportedException($"{Name} is defined for {string.Join(" and ", kinds)} tasks only; this run is {task.Kind}.");
    }

    /// <inheritdoc />
    public virtual void Dispose()
    {
        Classifiers?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A method's hyperparameters: an immutable record that checks its own values.</summary>
public interface IMethodOptions
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the value that is out of its domain.</summary>
    void Validate();
}

/// <summary>
/// A balancing method with hyperparameters <typeparamref name="TOptions"/> (defaults when none are given), validated once
/// when the method is created and saved with the run's config.
/// </summary>
public abstract class BalancingMethod<TOptions> : BalancingMethod where TOptions : class, IMethodOptions, new()
{
    /// <summary>The method with <paramref name="options"/>, or the defaults.</summary>
    protected BalancingMethod(TOptions? options)
    {
        Hyperparameters = options ?? new TOptions();
        Hyperparameters.Validate();
    }

    /// <summary>The hyperparameters.</summary>
    public TOptions Hyperparameters { get; }

    /// <inheritdoc />
    public sealed override object? Options => Hyperparameters;
}
