using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>Saves and restores an optimizer's state (moments, step counts, rates) inside a checkpoint stream.</summary>
public static class OptimizerCheckpoint
{
    /// <summary>Writes the optimizer state.</summary>
    public static void Save(optim.Optimizer optimizer, BinaryWriter writer) => Helper(optimizer).save_state_dict(writer);

    /// <summary>Restores the optimizer state written by <see cref="Save"/>.</summary>
    public static void Load(optim.Optimizer optimizer, BinaryReader reader) => Helper(optimizer).load_state_dict(reader);

    private static TorchSharp.Modules.OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as TorchSharp.Modules.OptimizerHelper ?? throw new NotSupportedException($"{optimizer.GetType().Name} cannot save its state.");
}
