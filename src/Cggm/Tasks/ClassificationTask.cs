using Cggm.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tasks;

/// <summary>
/// Single-label classification with <see cref="Classes"/> classes: cross-entropy loss, ε = batch accuracy
/// (the released code's <c>train_eval_iemo</c>/<c>train_eval_food</c>), metrics accuracy and weighted/macro F1.
/// Predictions are logits <c>[B, C]</c>; targets are class indices <c>[B]</c>.
/// </summary>
public sealed class ClassificationTask : LearningTask
{
    /// <summary>A task with <paramref name="classes"/> classes.</summary>
    public ClassificationTask(int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Classification needs at least 2 classes.");
        Classes = classes;
    }

    /// <summary>Number of classes C.</summary>
    public int Classes { get; }

    /// <inheritdoc />
    public override string Kind => "classification";

    /// <inheritdoc />
    public override string UtilizationName => "accuracy";

    /// <inheritdoc />
    public override SelectionMetric Selection { get; } = new("accuracy", HigherIsBetter: true);

    /// <inheritdoc />
    public override Tensor Loss(Tensor prediction, Tensor target) => nn.functional.cross_entropy(prediction, target);

    /// <inheritdoc />
    public override Tensor Utilization(Tensor prediction, Tensor target)
    {
        using var _ = no_grad();
        return prediction.argmax(-1).eq(target).to(ScalarType.Float64).mean();
    }

    /// <inheritdoc />
    public override MetricAccumulator CreateMetrics() => new ClassificationMetrics(Classes);

    /// <inheritdoc />
    public override void Validate(Tensor prediction, Tensor target)
    {
        RequireSameBatch(prediction, target);
        if (prediction.dim() != 2 || prediction.shape[1] != Classes || target.dim() != 1)
            throw new ArgumentException($"Classification with {Classes} classes expects logits [B, {Classes}] and labels [B]; got {Shape(prediction)} and {Shape(target)}.");
    }
}
