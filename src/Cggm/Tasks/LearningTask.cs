using Cggm.Metrics;
using static TorchSharp.torch;

namespace Cggm.Tasks;

/// <summary>Which validation metric picks the best epoch, and in which direction.</summary>
/// <param name="Name">A key of the dictionary <see cref="MetricAccumulator.Compute"/> returns.</param>
/// <param name="HigherIsBetter">True for accuracy or Dice, false for MAE.</param>
public sealed record SelectionMetric(string Name, bool HigherIsBetter)
{
    /// <summary>True when <paramref name="candidate"/> is strictly better than <paramref name="best"/>.</summary>
    public bool IsBetter(double candidate, double best) =>
        double.IsNaN(best) || (HigherIsBetter ? candidate > best : candidate < best);
}

/// <summary>
/// A learning task: it owns the loss 𝓛 (paper §3.1), the evaluation metrics, and the utilization metric ε that CGGM
/// reads from each modality classifier (paper Eq. 5–6: accuracy for classification, Acc-2 for sentiment regression,
/// mean Dice for segmentation).
/// </summary>
public abstract class LearningTask
{
    /// <summary>"classification", "regression" or "segmentation".</summary>
    public abstract string Kind { get; }

    /// <summary>Name of ε in tables and charts (for example "accuracy").</summary>
    public abstract string UtilizationName { get; }

    /// <summary>The validation metric that selects the best epoch.</summary>
    public abstract SelectionMetric Selection { get; }

    /// <summary>The task loss 𝓛(ŷ, y), averaged over the batch.</summary>
    public abstract Tensor Loss(Tensor prediction, Tensor target);

    /// <summary>
    /// The utilization metric ε of predictions on one batch (paper Eq. 5), as a 0-d tensor of <see cref="UtilizationType"/> on the
    /// prediction's device (no host sync). Float64 for classification and regression because the released code scores in numpy (float64): with ε in float32, k/12 and k/20 are not exact,
    /// so a step whose improvements cancel gave Σ Δε ≈ ±3–6e-8 instead of 0, which the released 1e-8 turns into a B of the
    /// wrong sign and size (+1.30e7 against −2.62e6).
    /// </summary>
    public abstract Tensor Utilization(Tensor prediction, Tensor target);

    /// <summary>
    /// The dtype of ε and of CGGM's arithmetic on it (Δε, Σ Δε + 1e-8, B, 𝓛_gm's |B| sum), as the released code has it:
    /// float64 for classification and regression (numpy scores), float32 for segmentation, whose <c>train_eval_seg</c>
    /// returns float32 tensors (<c>src/segtrain.py</c> computes diff, diff_sum, coeff and l_gm on them).
    /// </summary>
    public virtual ScalarType UtilizationType => ScalarType.Float64;

    /// <summary>A fresh accumulator of this task's evaluation metrics.</summary>
    public abstract MetricAccumulator CreateMetrics();

    /// <summary>Checks that a prediction and a target fit this task; throws an <see cref="ArgumentException"/> naming both shapes.</summary>
    public abstract void Validate(Tensor prediction, Tensor target);

    /// <summary>Throws when the prediction and the target disagree on the batch size.</summary>
    protected static void RequireSameBatch(Tensor prediction, Tensor target)
    {
        if (prediction.dim() == 0 || target.dim() == 0 || prediction.shape[0] != target.shape[0])
            throw new ArgumentException($"Prediction {Shape(prediction)} and target {Shape(target)} must share the batch dimension.");
    }

    /// <summary>A shape as text, for error messages.</summary>
    protected static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
