using Cggm.Notebooks.Charts;

namespace Cggm.Notebooks.Reproductions;

/// <summary>What the reproductions on the paper's datasets share: the sample-data warning and the smoothing of per-iteration curves.</summary>
public static class ReproductionDefaults
{
    /// <summary>The note every result on sample data carries.</summary>
    public const string SampleNote = "SAMPLE DATA: random features written in the dataset's exact format and read through the real loader " +
                                     "(the real dataset is not under the data root). These numbers are not the paper's and say nothing about it.";

    /// <summary>
    /// The moving-average window of per-iteration curves: about a tenth of the iterations a run has, between 1 and 25 (the
    /// charts' default), so short runs are not flattened and long runs are not noisy.
    /// </summary>
    public static int Window(RunSeries series) => Math.Clamp(series.Histories.Max(h => h.Steps.Count) / 10, 1, 25);
}
