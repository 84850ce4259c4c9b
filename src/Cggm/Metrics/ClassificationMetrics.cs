using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>
/// Accuracy and F1 from a confusion matrix. "f1_weighted" is scikit-learn's <c>average='weighted'</c> (what the
/// released code computes for IEMOCAP and Food-101); "f1_macro" is the unweighted mean over classes.
/// </summary>
public sealed class ClassificationMetrics(int classes) : MetricAccumulator
{
    private readonly long[,] _confusion = new long[classes, classes];
    private int _count;

    /// <inheritdoc />
    public override int Count => _count;

    /// <inheritdoc />
    public override void Add(Tensor prediction, Tensor target)
    {
        var pred = ToHostLong(prediction.argmax(-1));
        var truth = ToHostLong(target);
        for (int i = 0; i < pred.Length; i++) _confusion[truth[i], pred[i]]++;
        _count += pred.Length;
    }

    /// <summary>Adds already decided labels (used by tests and by ensembles).</summary>
    public void AddLabels(IReadOnlyList<int> predicted, IReadOnlyList<int> truth)
    {
        for (int i = 0; i < predicted.Count; i++) _confusion[truth[i], predicted[i]]++;
        _count += predicted.Count;
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> Compute()
    {
        long correct = 0;
        double weighted = 0, macro = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = _confusion[c, c], support = 0, predicted = 0;
            for (int k = 0; k < classes; k++) { support += _confusion[c, k]; predicted += _confusion[k, c]; }
            correct += tp;
            double f1 = support + predicted == 0 ? 0 : 2.0 * tp / (support + predicted);
            weighted += f1 * support;
            macro += f1;
        }
        return new Dictionary<string, double>
        {
            ["accuracy"] = _count == 0 ? double.NaN : (double)correct / _count,
            ["f1_weighted"] = _count == 0 ? double.NaN : weighted / _count,
            ["f1_macro"] = macro / classes,
        };
    }
}
