using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>Optimizers the paper's settings use.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (CMU-MOSI; the released IEMOCAP script).</summary>
    Adam,

    /// <summary>AdamW (UPMC-Food 101; the paper's text for IEMOCAP).</summary>
    AdamW,

    /// <summary>SGD with momentum (BraTS 2021).</summary>
    Sgd,
}

/// <summary>An optimizer and its hyperparameters, as data (configs are immutable records).</summary>
public sealed record OptimizerSpec(OptimizerKind Kind, double LearningRate, double WeightDecay = 0, double Momentum = 0.9)
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public optim.Optimizer Create(IEnumerable<Parameter> parameters)
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be a positive number.");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay cannot be negative.");
        return Kind switch
        {
            OptimizerKind.Adam => optim.Adam(parameters, LearningRate, weight_decay: WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(parameters, LearningRate, weight_decay: WeightDecay),
            OptimizerKind.Sgd => optim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown optimizer."),
        };
    }
}
