using System.Globalization;

namespace Cggm.Experiments;

/// <summary>
/// Mean and sample standard deviation (n − 1) of a metric over seeds; for a paired difference also its 95 % confidence
/// interval (<see cref="Low"/>, <see cref="High"/>), which a table then shows instead of the standard deviation.
/// </summary>
public sealed record MeanStd(double Mean, double Std, int Count)
{
    /// <summary>Lower end of the 95 % confidence interval of a paired difference; null for a plain mean ± std.</summary>
    public double? Low { get; init; }

    /// <summary>Upper end of the 95 % confidence interval.</summary>
    public double? High { get; init; }

    /// <summary>
    /// The paired differences a − b by seed (<see cref="Analysis.Statistics.Paired"/>): their mean, standard deviation and
    /// 95 % Student-t interval.
    /// </summary>
    public static MeanStd Difference(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b)
    {
        var d = Analysis.Statistics.Paired(a, b);
        var plain = Of(a.Keys.Where(b.ContainsKey).Select(k => a[k] - b[k]));
        return plain with { Low = double.IsNaN(d.Low) ? null : d.Low, High = double.IsNaN(d.High) ? null : d.High };
    }

    /// <summary>The paired difference of a test metric between <paramref name="runs"/> and <paramref name="baseline"/>, by seed (<see cref="Difference(IReadOnlyDictionary{int, double}, IReadOnlyDictionary{int, double})"/>).</summary>
    public static MeanStd Difference(IEnumerable<ExperimentRun> runs, IEnumerable<ExperimentRun> baseline, string metric = "accuracy")
    {
        Dictionary<int, double> BySeed(IEnumerable<ExperimentRun> r) => r.ToDictionary(x => x.Seed, x => x.Result.Test.Metrics[metric]);
        return Difference(BySeed(runs), BySeed(baseline));
    }

    /// <summary>One statistic of pooled data (e.g. a median over every step of every seed): no spread, shown without ±.</summary>
    public static MeanStd Pooled(double value) => new(value, double.NaN, 1);

    /// <summary>Aggregates <paramref name="values"/>.</summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return new MeanStd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new MeanStd(mean, std, v.Length);
    }

    /// <summary>
    /// "mean ± std", for a paired difference "+mean [low, high]", for a <see cref="Pooled"/> value just the value, with <paramref name="decimals"/> decimals after multiplying
    /// by <paramref name="scale"/> (100 for percentages).
    /// </summary>
    public string Format(int decimals = 2, double scale = 1)
    {
        string F(double v) => (v * scale).ToString("F" + decimals, CultureInfo.InvariantCulture);
        string Signed(double v) => (v >= 0 ? "+" : "") + F(v);
        if (double.IsNaN(Mean)) return "";
        if (double.IsNaN(Std)) return F(Mean);
        return Low is { } low && High is { } high ? $"{Signed(Mean)} [{Signed(low)}, {Signed(high)}]" : $"{F(Mean)} ± {F(Std)}";
    }

    /// <inheritdoc />
    public override string ToString() => Format();
}
