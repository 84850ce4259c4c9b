using System.Globalization;

namespace Cggm.Experiments;

/// <summary>Mean and sample standard deviation (n − 1) of a metric over seeds.</summary>
public sealed record MeanStd(double Mean, double Std, int Count)
{
    /// <summary>Aggregates <paramref name="values"/>.</summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return new MeanStd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new MeanStd(mean, std, v.Length);
    }

    /// <summary>"mean ± std" with <paramref name="decimals"/> decimals, after multiplying by <paramref name="scale"/> (100 for percentages).</summary>
    public string Format(int decimals = 2, double scale = 1) =>
        double.IsNaN(Mean) ? "" : string.Format(CultureInfo.InvariantCulture, "{0} ± {1}",
            (Mean * scale).ToString("F" + decimals, CultureInfo.InvariantCulture), (Std * scale).ToString("F" + decimals, CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public override string ToString() => Format();
}
