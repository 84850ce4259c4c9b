using Cggm.Data;
using Cggm.Models;
using Cggm.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>What a balancing method sees of the run it is attached to.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(MultimodalModel model, LearningTask task, optim.Optimizer optimizer, Device device, TrainerOptions options,
                             Action<StepState, bool> recordGradients, Action clipAndStep, IDataSplit train, IDataSplit valid)
    {
        Model = model;
        Train = train;
        Valid = valid;
        Task = task;
        Optimizer = optimizer;
        Device = device;
        Options = options;
        EncoderParameters = Enumerable.Range(0, model.ModalityCount).Select(i => (IReadOnlyList<Parameter>)model.EncoderParameters(i).ToArray()).ToArray();
        _recordGradients = recordGradients;
        _clipAndStep = clipAndStep;
    }

    private readonly Action<StepState, bool> _recordGradients;
    private readonly Action _clipAndStep;

    /// <summary>The model being trained.</summary>
    public MultimodalModel Model { get; }

    /// <summary>The task (loss, ε, metrics).</summary>
    public LearningTask Task { get; }

    /// <summary>The main optimizer.</summary>
    public optim.Optimizer Optimizer { get; }

    /// <summary>The device of the model and the batches.</summary>
    public Device Device { get; }

    /// <summary>The trainer options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The training split (for methods that pre-train teachers, compute prototypes or estimate weights on it).</summary>
    public IDataSplit Train { get; }

    /// <summary>The validation split (for methods whose rule reads held-out performance; the test split is never exposed).</summary>
    public IDataSplit Valid { get; }

    /// <summary>θ^{φ_i} for each modality, listed once when the method is attached.</summary>
    public IReadOnlyList<IReadOnlyList<Parameter>> EncoderParameters { get; }

    /// <summary>For methods that own the step: records each encoder's gradient norm (before or after modulation).</summary>
    public void RecordGradientNorms(StepState step, bool modulated) => _recordGradients(step, modulated);

    /// <summary>For methods that own the step: clips (if configured) and steps the main optimizer.</summary>
    public void ClipAndStep() => _clipAndStep();
}

/// <summary>The state of one training step, shared by the trainer and the method's hooks.</summary>
public sealed class StepState
{
    internal StepState(int epoch, int step, int globalStep, Batch batch, IReadOnlyList<int>? indices = null)
    {
        Indices = indices ?? [];
        Epoch = epoch;
        Step = step;
        GlobalStep = globalStep;
        Batch = batch;
    }

    /// <summary>0-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>0-based step within the epoch.</summary>
    public int Step { get; }

    /// <summary>0-based step over the run.</summary>
    public int GlobalStep { get; }

    /// <summary>The batch's sample indices in the training split (methods that keep per-sample history, such as QMF, key on them).</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The batch, on the training device.</summary>
    public Batch Batch { get; set; }

    /// <summary>The forward pass (set by the trainer or by a method that owns the step).</summary>
    public Models.MultimodalOutput? Output { get; set; }

    /// <summary>𝓛_task of the batch.</summary>
    public Tensor? TaskLoss { get; set; }

    /// <summary>The loss that is back-propagated.</summary>
    public Tensor? Loss { get; set; }

    /// <summary>Each encoder's gradient norm before modulation, <c>[M]</c>.</summary>
    public Tensor? GradNorm { get; set; }

    /// <summary>Each encoder's gradient norm after modulation, <c>[M]</c>.</summary>
    public Tensor? GradNormModulated { get; set; }

    /// <summary>What the method reports for history.</summary>
    public StepDiagnostics Diagnostics { get; } = new();
}
