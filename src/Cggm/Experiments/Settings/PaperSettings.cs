using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// The paper's settings for one dataset (paper §4.1 and Table 7, whose values survive only in the released run scripts
/// <c>run/*.py</c> and trainers <c>src/*train.py</c> of github.com/zrguo/CGGM @21e428c). Immutable: change a value with
/// <c>with { … }</c>. Where the paper and the released code disagree, each subclass says which one it follows and why.
/// It builds everything a recipe needs: the model, the task, the trainer options and the method settings
/// (<see cref="Setup"/>).
/// </summary>
public abstract record PaperSettings
{
    /// <summary>The dataset these settings are for, as its loader names it (<see cref="IMultimodalDataset.Name"/>).</summary>
    public abstract string Dataset { get; }

    /// <summary>Training epochs.</summary>
    public abstract int Epochs { get; init; }

    /// <summary>Training batch size.</summary>
    public abstract int BatchSize { get; init; }

    /// <summary>The model's optimizer.</summary>
    public abstract OptimizerSpec Optimizer { get; init; }

    /// <summary>The model's learning-rate schedule.</summary>
    public abstract LearningRateSchedule Schedule { get; init; }

    /// <summary>Global gradient-norm clip, after CGGM's scaling (null: none).</summary>
    public abstract double? ClipNorm { get; init; }

    /// <summary>CGGM's ρ, λ and classifier optimizer (the variant is chosen by the method name).</summary>
    public abstract CggmOptions Cggm { get; init; }

    /// <summary>
    /// Reshuffle the training set every epoch. False: the released loaders never shuffle (<c>datasets/dataloader.py</c>), so
    /// the released Δε always compares the same consecutive batches; set true for the usual i.i.d. order.
    /// </summary>
    public bool ShuffleTrain { get; init; }

    /// <summary>Device ("cpu", "cuda", …); null uses the library default.</summary>
    public string? Device { get; init; }

    /// <summary>The task: loss, metrics and CGGM's utilization metric ε.</summary>
    public abstract LearningTask CreateTask();

    /// <summary>A fresh model for <paramref name="data"/> (its modality shapes and order).</summary>
    public abstract MultimodalModel CreateModel(IMultimodalDataset data);

    /// <summary>
    /// These settings with the transformer model's options changed by <paramref name="change"/> (CMU-MOSI, IEMOCAP, UPMC-Food
    /// 101); null for the other models.
    /// </summary>
    public PaperSettings? WithTransformerModel(Func<TransformerModelOptions, TransformerModelOptions> change) => this switch
    {
        MosiSettings m => m with { Model = change(m.Model) },
        IemocapSettings i => i with { Model = change(i.Model) },
        Food101Settings f => f with { Model = change(f.Model) },
        _ => null,
    };

    /// <summary>The trainer options. The passive probes of non-CGGM methods use the classifier optimizer.</summary>
    public TrainerOptions Trainer() => new()
    {
        Epochs = Epochs, BatchSize = BatchSize, Optimizer = Optimizer, Schedule = Schedule, ClipNorm = ClipNorm,
        ShuffleTrain = ShuffleTrain, ProbeOptimizer = Cggm.ClassifierOptimizer, Device = Device,
    };

    /// <summary>The method settings (<paramref name="unimodalModality"/> is the modality kept by unimodal training).</summary>
    public MethodSettings Methods(int unimodalModality = 0) => new() { Cggm = Cggm, Modality = unimodalModality };

    /// <summary>
    /// The experiment on <paramref name="data"/> with these settings (named <paramref name="name"/>, else after the dataset).
    /// Throws when the dataset's label does not fit the task.
    /// </summary>
    public ExperimentSetup Setup(IMultimodalDataset data, string? name = null, int unimodalModality = 0)
    {
        var task = CreateTask();
        if (data.Label.Kind != task.Kind)
            throw new ArgumentException($"{GetType().Name} is a {task.Kind} setting but dataset '{data.Name}' has {data.Label.Kind} labels; use the settings of that dataset.", nameof(data));
        if (data.Modalities.Count < 2)
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Modalities.Count} modality; the paper's models fuse at least two.", nameof(data));
        return new ExperimentSetup(name ?? Dataset, data, CreateModel, task, Trainer(), Methods(unimodalModality));
    }

    /// <summary>Checks that the dataset's labels have <paramref name="classes"/> classes.</summary>
    protected static void RequireClasses(IMultimodalDataset data, int classes)
    {
        if (data.Label.Classes != classes)
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Label.Classes} classes but the model is configured for {classes}.", nameof(data));
    }
}
