namespace Cggm.Notebooks.Charts;

/// <summary>Small numeric helpers for chart series.</summary>
public static class Series
{
    /// <summary>Trailing moving average over <paramref name="window"/> points (shorter at the start).</summary>
    public static double[] MovingAverage(IReadOnlyList<double> values, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be at least 1.");
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    /// <summary>Trailing moving median over <paramref name="window"/> points: robust to isolated spikes (CGGM's B at steps where Σ Δε ≈ 0).</summary>
    public static double[] MovingMedian(IReadOnlyList<double> values, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be at least 1.");
        var result = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            int start = Math.Max(0, i - window + 1);
            var w = new double[i - start + 1];
            for (int j = start; j <= i; j++) w[j - start] = values[j];
            Array.Sort(w);
            result[i] = w.Length % 2 == 1 ? w[w.Length / 2] : 0.5 * (w[w.Length / 2 - 1] + w[w.Length / 2]);
        }
        return result;
    }

    /// <summary>Element-wise mean of equally long series (truncated to the shortest).</summary>
    public static double[] Mean(IReadOnlyList<IReadOnlyList<double>> series)
    {
        if (series.Count == 0) return [];
        int n = series.Min(s => s.Count);
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = series.Average(s => s[i]);
        return result;
    }
}
