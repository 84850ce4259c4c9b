using Cggm.Data;
using Cggm.Models;
using Cggm.Models.Blocks;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// IEMOCAP (paper §4.1: 4 emotions, cross-entropy), released <c>run/iemo_run.py</c> and <c>src/msatrain.py</c>:
/// <see cref="SequenceTransformer"/> with 4 encoder layers (2 fusion), d = 40, 5 heads, 4 outputs.
/// </summary>
public sealed record IemocapSettings : PaperSettings
{
    /// <inheritdoc />
    public override string Dataset => Iemocap.DatasetName;

    /// <summary>30 epochs.</summary>
    public override int Epochs { get; init; } = 30;

    /// <summary>64.</summary>
    public override int BatchSize { get; init; } = 64;

    /// <summary>
    /// Adam, lr 1e-3, no weight decay — the released script's default (<c>--optim Adam</c>). The paper's text says AdamW but
    /// gives no weight decay (the script with <c>--optim AdamW</c> would use PyTorch's default 0.01); every other IEMOCAP value
    /// exists only in the script, tuned with Adam, so we keep the script's optimizer.
    /// </summary>
    public override OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.Adam, 1e-3);

    /// <summary>ReduceLROnPlateau, patience 10, factor 0.1.</summary>
    public override LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.ReduceOnPlateau(Patience: 10, Factor: 0.1);

    /// <summary>0.8.</summary>
    public override double? ClipNorm { get; init; } = 0.8;

    /// <summary>
    /// ρ = 1.2, λ = 0.2, classifiers Adam lr 5e-4. ρ: the script's default is 1.3 (the same default in all three sequence
    /// scripts), the ablation table is described with 1.0, and the paper's text puts the best ρ on IEMOCAP at 1.2 (Fig. 5a);
    /// we take the value the paper itself reports as best for this dataset. λ: the script's 0.2 (Fig. 5b only says 0.01
    /// and 0.25 are worse).
    /// </summary>
    public override CggmOptions Cggm { get; init; } = new() { Rho = 1.2, Lambda = 0.2, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-4) };

    /// <summary>The released IEMOCAP model: 4 outputs, 4 layers, dropouts attention 0.15, ReLU 0.15, residual 0.15, embedding 0.2, output 0.2.</summary>
    public TransformerModelOptions Model { get; init; } = new()
    {
        Outputs = 4, Layers = 4,
        Dropouts = new TransformerDropouts(Attention: 0.15, Relu: 0.15, Residual: 0.15, Embedding: 0.2, Output: 0.2),
    };

    /// <inheritdoc />
    public override LearningTask CreateTask() => new ClassificationTask(Model.Outputs);

    /// <inheritdoc />
    public override MultimodalModel CreateModel(IMultimodalDataset data)
    {
        RequireClasses(data, Model.Outputs);
        return new SequenceTransformer(data.Modalities, Model);
    }
}
