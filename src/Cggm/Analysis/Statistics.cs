using MathNet.Numerics.Distributions;

namespace Cggm.Analysis;

/// <summary>
/// The mean of paired differences a_s − b_s over n seeds with its two-sided 95 % confidence interval from Student's t with
/// n − 1 degrees of freedom: mean ± t_{0.975, n−1} · sd/√n (sd the sample standard deviation of the differences). Paired
/// by seed: the same seed gives both runs the same initial weights and batch order, so the pairing removes that variation.
/// </summary>
/// <param name="Mean">Mean difference.</param>
/// <param name="Low">Lower end of the 95 % interval (NaN for fewer than two pairs).</param>
/// <param name="High">Upper end of the 95 % interval.</param>
/// <param name="Count">Number of pairs.</param>
public sealed record PairedDifference(double Mean, double Low, double High, int Count)
{
    /// <summary>True when the interval lies wholly above or below 0.</summary>
    public bool Excludes0 => Low > 0 || High < 0;
}

/// <summary>Summary statistics of repeated measurements.</summary>
public static class Statistics
{
    /// <summary>The middle value (the mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// a − b paired by key (seed): <paramref name="a"/> and <paramref name="b"/> map a seed to a value; seeds present in both
    /// are paired. See <see cref="PairedDifference"/> for the interval.
    /// </summary>
    public static PairedDifference Paired(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b)
    {
        var d = a.Keys.Where(b.ContainsKey).Order().Select(k => a[k] - b[k]).ToArray();
        if (d.Length == 0) throw new ArgumentException($"No seed is in both sets (seeds {string.Join(", ", a.Keys)} and {string.Join(", ", b.Keys)}).");
        double mean = d.Average();
        if (d.Length < 2) return new PairedDifference(mean, double.NaN, double.NaN, d.Length);
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1));
        double half = StudentT.InvCDF(0, 1, d.Length - 1, 0.975) * sd / Math.Sqrt(d.Length);
        return new PairedDifference(mean, mean - half, mean + half, d.Length);
    }
}
