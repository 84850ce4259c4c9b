using Cggm.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tasks;

/// <summary>Which number CGGM reads as ε from a regression classifier.</summary>
public enum RegressionUtilization
{
    /// <summary>Binary accuracy of sign(ŷ) against sign(y), zeros counted negative: what the released code uses (<c>train_eval_senti</c>).</summary>
    Acc2,

    /// <summary>−MAE: the paper's text names MAE for regression; negated so that a better modality has a larger ε.</summary>
    NegativeMae,
}

/// <summary>
/// Sentiment-style regression (CMU-MOSI, labels in [−3, 3]): L1 loss as in the paper, metrics of MulT and the released
/// <c>eval_senti</c> (MAE, Pearson correlation, Acc-7, Acc-5, Acc-2, F1). Predictions are <c>[B, 1]</c> or <c>[B]</c>; targets <c>[B]</c>.
/// </summary>
public sealed class RegressionTask(RegressionUtilization utilization = RegressionUtilization.Acc2) : LearningTask
{
    /// <summary>The ε this task reports to CGGM.</summary>
    public RegressionUtilization UtilizationKind { get; } = utilization;

    /// <inheritdoc />
    public override string Kind => "regression";

    /// <inheritdoc />
    public override string UtilizationName => UtilizationKind == RegressionUtilization.Acc2 ? "acc2" : "-mae";

    /// <inheritdoc />
    public override SelectionMetric Selection { get; } = new("mae", HigherIsBetter: false);

    /// <inheritdoc />
    public override Tensor Loss(Tensor prediction, Tensor target) => nn.functional.l1_loss(prediction.reshape(-1), target.reshape(-1));

    /// <inheritdoc />
    public override Tensor Utilization(Tensor prediction, Tensor target)
    {
        using var _ = no_grad();
        var p = prediction.reshape(-1).to(ScalarType.Float64);
        var y = target.reshape(-1).to(ScalarType.Float64);
        return UtilizationKind == RegressionUtilization.Acc2
            ? p.gt(0).eq(y.gt(0)).to(ScalarType.Float64).mean()
            : (p - y).abs().mean().neg();
    }

    /// <inheritdoc />
    public override MetricAccumulator CreateMetrics() => new SentimentMetrics();

    /// <inheritdoc />
    public override void Validate(Tensor prediction, Tensor target)
    {
        RequireSameBatch(prediction, target);
        bool predOk = prediction.dim() == 1 || (prediction.dim() == 2 && prediction.shape[1] == 1);
        if (!predOk || target.numel() != target.shape[0])
            throw new ArgumentException($"Regression expects predictions [B, 1] or [B] and targets [B]; got {Shape(prediction)} and {Shape(target)}.");
    }
}
