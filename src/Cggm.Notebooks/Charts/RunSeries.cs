using Cggm.Training;

namespace Cggm.Notebooks.Charts;

/// <summary>The histories of one method over its seeds, drawn as one line per quantity (the mean over seeds).</summary>
/// <param name="Label">Legend label, usually the method name.</param>
/// <param name="Histories">One history per seed.</param>
public sealed record RunSeries(string Label, IReadOnlyList<TrainingHistory> Histories)
{
    /// <summary>Modality names (from the first history).</summary>
    public IReadOnlyList<string> Modalities => Histories[0].Modalities;

    /// <summary>Mean over seeds of a per-step, per-modality quantity, for modality <paramref name="m"/>, each seed smoothed
    /// first by <paramref name="smooth"/> (none when null); empty when not recorded.</summary>
    public double[] StepMean(Func<StepRecord, double[]?> select, int m, Func<IReadOnlyList<double>, double[]>? smooth = null) =>
        Series.Mean(Histories.Select(h =>
        {
            var raw = h.Steps.Where(s => select(s) is not null).Select(s => select(s)![m]).ToArray();
            return (IReadOnlyList<double>)(smooth is null ? raw : smooth(raw));
        }).ToArray());

    /// <summary>Mean over seeds of a per-step scalar.</summary>
    public double[] StepMean(Func<StepRecord, double?> select) =>
        Series.Mean(Histories.Select(h => (IReadOnlyList<double>)h.Steps.Where(s => select(s) is not null).Select(s => select(s)!.Value).ToArray()).ToArray());

    /// <summary>Mean over seeds of a per-epoch value.</summary>
    public double[] EpochMean(Func<EpochRecord, double?> select) =>
        Series.Mean(Histories.Select(h => (IReadOnlyList<double>)h.Epochs.Select(e => select(e) ?? double.NaN).ToArray()).ToArray());
}
