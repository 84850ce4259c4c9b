using Cggm.Training;
namespace Cggm.Modulation;

/// <summary>
/// Joint training, the paper's "Baseline": all encoders, fusion and head trained end to end on 𝓛_task with no balancing.
/// </summary>
public sealed class JointTraining : BalancingMethod
{
    /// <inheritdoc />
    public override string Name => MethodNames.Joint;
}
