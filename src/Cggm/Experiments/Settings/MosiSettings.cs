using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments.Settings;

/// <summary>
/// CMU-MOSI (paper §4.1: sentiment regression in [−3, 3], L1 loss, Adam), released <c>run/mosi_run.py</c> and
/// <c>src/msatrain.py</c>: <see cref="SequenceTransformer"/> with 5 encoder layers (3 fusion), d = 40, 5 heads.
/// </summary>
public sealed record MosiSettings : PaperSettings
{
    /// <inheritdoc />
    public override string Dataset => CmuMosi.DatasetName;

    /// <summary>30 epochs (<c>--num_epochs</c>).</summary>
    public override int Epochs { get; init; } = 30;

    /// <summary>64 (<c>--batch_size</c>).</summary>
    public override int BatchSize { get; init; } = 64;

    /// <summary>Adam, lr 1e-3, no weight decay (paper §4.2 and <c>--optim Adam --lr 1e-3</c> agree).</summary>
    public override OptimizerSpec Optimizer { get; init; } = new(OptimizerKind.Adam, 1e-3);

    /// <summary>ReduceLROnPlateau on the validation loss, patience 10 (<c>--when</c>), factor 0.1.</summary>
    public override LearningRateSchedule Schedule { get; init; } = new LearningRateSchedule.ReduceOnPlateau(Patience: 10, Factor: 0.1);

    /// <summary>0.8 (<c>--clip</c>).</summary>
    public override double? ClipNorm { get; init; } = 0.8;

    /// <summary>
    /// ρ = 1.3, λ = 0.2 (<c>--rou</c>, <c>--lamda</c>; the README's example also uses λ = 0.2); classifiers Adam, lr 5e-4
    /// (<c>--cls_lr</c>; the released classifier optimizer is the model's kind, and the paper's Table 7 value survives only as an image).
    /// </summary>
    public override CggmOptions Cggm { get; init; } = new() { Rho = 1.3, Lambda = 0.2, ClassifierOptimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-4) };

    /// <summary>The released MOSI model: output 1, 5 layers, dropouts attention 0.15, ReLU 0.15, residual 0.1, embedding 0.2, output 0.1.</summary>
    public TransformerModelOptions Model { get; init; } = new();

    /// <summary>
    /// ε = Acc-2 of each classifier, as the released <c>train_eval_senti</c>; the paper's text names MAE for regression
    /// (<see cref="RegressionUtilization.NegativeMae"/> selects it). We follow the code: it is what produced the released runs.
    /// </summary>
    public RegressionUtilization Utilization { get; init; } = RegressionUtilization.Acc2;

    /// <inheritdoc />
    public override LearningTask CreateTask() => new RegressionTask(Utilization);

    /// <inheritdoc />
    public override MultimodalModel CreateModel(IMultimodalDataset data)
    {
        if (Model.Outputs != 1)
            throw new ArgumentException($"MOSI is a regression with one output; {nameof(Model)}.{nameof(Model.Outputs)} is {Model.Outputs}.", nameof(data));
        return new SequenceTransformer(data.Modalities, Model);
    }
}
