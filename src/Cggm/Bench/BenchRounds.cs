using Cggm.Analysis;
using Cggm.Modulation;

namespace Cggm.Bench;

/// <summary>A ratio of median step times measured over several rounds: the median, smallest and largest per-round ratio.</summary>
public sealed record RoundRatio(double Median, double Min, double Max)
{
    /// <summary>"1.23", or with <paramref name="range"/> "1.23 (1.10–1.40)".</summary>
    public string Format(bool range) => range ? $"{Median:F2} ({Min:F2}–{Max:F2})" : Median.ToString("F2");
}

/// <summary>
/// Combines repeated rounds of step measurements (each round measures every (model, method) once, as <c>cggm bench --rounds</c>
/// runs them). A ratio is taken within each round, where both methods ran minutes apart, and then summarised over the rounds,
/// so that the machine's drift over a long bench does not land on one method.
/// </summary>
public static class BenchRounds
{
    /// <summary>One measurement per (model, method), in first-measured order: medians over the rounds of the median, p10 and p90; the largest peak; the steps summed.</summary>
    public static IReadOnlyList<StepMeasurement> Combine(IReadOnlyList<IReadOnlyList<StepMeasurement>> rounds) =>
        rounds.SelectMany(r => r).GroupBy(m => (m.Model, m.Method)).Select(g =>
        {
            var all = g.ToArray();
            return all[0] with
            {
                Steps = all.Sum(m => m.Steps),
                MedianMs = Statistics.Median(all.Select(m => m.MedianMs)),
                P10Ms = Statistics.Median(all.Select(m => m.P10Ms)),
                P90Ms = Statistics.Median(all.Select(m => m.P90Ms)),
                PeakMemoryMb = all.Max(m => m.PeakMemoryMb),
            };
        }).ToArray();

    /// <summary>
    /// <paramref name="method"/>'s median step time over <paramref name="baseline"/>'s on <paramref name="model"/>, per round, summarised
    /// over the rounds that measured both; null when none did.
    /// </summary>
    public static RoundRatio? Ratio(IReadOnlyList<IReadOnlyList<StepMeasurement>> rounds, string model, string method, string baseline = MethodNames.Joint)
    {
        var ratios = rounds.Select(r => (Of: Find(r, model, method), Base: Find(r, model, baseline)))
            .Where(p => p.Of is not null && p.Base is not null).Select(p => p.Of!.MedianMs / p.Base!.MedianMs);
        return Summarize(ratios);
    }

    /// <summary>The measurement of (<paramref name="model"/>, <paramref name="method"/>) in one round, or null.</summary>
    public static StepMeasurement? Find(IEnumerable<StepMeasurement> round, string model, string method) =>
        round.FirstOrDefault(m => m.Model == model && m.Method == method);

    /// <summary>Per-round ratios summarised: their median, smallest and largest; null when there are none.</summary>
    public static RoundRatio? Summarize(IEnumerable<double> ratios)
    {
        var all = ratios.ToArray();
        return all.Length == 0 ? null : new RoundRatio(Statistics.Median(all), all.Min(), all.Max());
    }
}
