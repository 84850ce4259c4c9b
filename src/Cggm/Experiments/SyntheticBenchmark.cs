using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>
/// The built-in benchmark: <see cref="SyntheticImbalance"/> with a strong linear modality and a weak nonlinear one,
/// <see cref="MlpFusionNet"/>, and the paper's optimisation settings for CMU-MOSI/IEMOCAP where they apply (Adam 1e-3,
/// clip 0.8, classifier Adam 5e-4, ρ = 1.3, λ = 0.2; batch 64), 20 epochs.
/// </summary>
public sealed record SyntheticBenchmark
{
    /// <summary>The data.</summary>
    public SyntheticImbalanceOptions Data { get; init; } = new();

    /// <summary>Width of features and fused features.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Trainer settings.</summary>
    public TrainerOptions Trainer { get; init; } = new()
    {
        Epochs = 20, BatchSize = 64, Optimizer = new OptimizerSpec(OptimizerKind.Adam, 1e-3), ClipNorm = 0.8,
        ProbeOptimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-4),
    };

    /// <summary>CGGM's hyperparameters (the released MOSI/IEMOCAP defaults).</summary>
    public CggmOptions Cggm { get; init; } = new() { Rho = 1.3, Lambda = 0.2, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-4) };

    /// <summary>Builds the setup, named <paramref name="name"/> (default: the dataset's name); the caller owns (and disposes) <see cref="ExperimentSetup.Data"/>.</summary>
    public ExperimentSetup Setup(string? name = null, int unimodalModality = 0)
    {
        name ??= SyntheticImbalance.DatasetName;
        var data = new SyntheticImbalance(Data);
        LearningTask task = Data.Target == SyntheticTarget.Classification ? new ClassificationTask(Data.Classes) : new RegressionTask();
        int outputs = Data.Target == SyntheticTarget.Classification ? Data.Classes : 1;
        return new ExperimentSetup(name, data, d => new MlpFusionNet(d.Modalities, outputs, Hidden), task, Trainer,
                                   new MethodSettings { Cggm = Cggm, Modality = unimodalModality });
    }
}
