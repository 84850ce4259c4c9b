using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>
/// The CMU-MOSI metrics of MulT and the released <c>eval_senti</c>: MAE, Pearson correlation, Acc-7 and Acc-5
/// (round-half-to-even of predictions and truths clipped to ±3 / ±2, like <c>np.round</c>), Acc-2 and weighted F1 of
/// sign(ŷ) vs sign(y) with zero truths counted negative (<c>exclude_zero=False</c>, what the released code reports), and
/// the same two over non-zero truths only ("acc2_nonzero", "f1_nonzero", MulT's other convention).
/// </summary>
public sealed class SentimentMetrics : MetricAccumulator
{
    private readonly List<float> _pred = [];
    private readonly List<float> _truth = [];

    /// <inheritdoc />
    public override int Count => _pred.Count;

    /// <inheritdoc />
    public override void Add(Tensor prediction, Tensor target)
    {
        _pred.AddRange(ToHost(prediction.reshape(-1)));
        _truth.AddRange(ToHost(target.reshape(-1)));
    }

    /// <summary>Adds host values (tests).</summary>
    public void AddValues(IEnumerable<float> prediction, IEnumerable<float> truth) { _pred.AddRange(prediction); _truth.AddRange(truth); }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> Compute()
    {
        int n = _pred.Count;
        double mae = 0, mp = _pred.Average(v => (double)v), mt = _truth.Average(v => (double)v), sxy = 0, sxx = 0, syy = 0;
        int a7 = 0, a5 = 0;
        for (int i = 0; i < n; i++)
        {
            double p = _pred[i], t = _truth[i];
            mae += Math.Abs(p - t);
            sxy += (p - mp) * (t - mt); sxx += (p - mp) * (p - mp); syy += (t - mt) * (t - mt);
            if (Math.Round(Math.Clamp(p, -3, 3)) == Math.Round(Math.Clamp(t, -3, 3))) a7++;
            if (Math.Round(Math.Clamp(p, -2, 2)) == Math.Round(Math.Clamp(t, -2, 2))) a5++;
        }
        var (acc2, f1) = Binary(Enumerable.Range(0, n));
        var (acc2nz, f1nz) = Binary(Enumerable.Range(0, n).Where(i => _truth[i] != 0));
        return new Dictionary<string, double>
        {
            ["mae"] = mae / n,
            ["corr"] = sxy / Math.Sqrt(sxx * syy),
            ["acc7"] = (double)a7 / n,
            ["acc5"] = (double)a5 / n,
            ["acc2"] = acc2,
            ["f1"] = f1,
            ["acc2_nonzero"] = acc2nz,
            ["f1_nonzero"] = f1nz,
        };
    }

    private (double Accuracy, double F1Weighted) Binary(IEnumerable<int> indices)
    {
        var binary = new ClassificationMetrics(2);
        var idx = indices.ToArray();
        binary.AddLabels(idx.Select(i => _pred[i] > 0 ? 1 : 0).ToArray(), idx.Select(i => _truth[i] > 0 ? 1 : 0).ToArray());
        var m = binary.Compute();
        return (m["accuracy"], m["f1_weighted"]);
    }
}
