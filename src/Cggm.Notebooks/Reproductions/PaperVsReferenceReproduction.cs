using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;
using Microsoft.Data.Analysis;
using Cggm.IO;
using Cggm.Modulation;

namespace Cggm.Notebooks.Reproductions;

/// <summary>10-paper-vs-reference: the paper's CGGM against the released code's, one quirk at a time, on the same data and seeds.</summary>
public sealed class PaperVsReferenceReproduction : IDatasetReproduction
{
    /// <inheritdoc />
    public string Name => "paper-vs-reference";

    /// <inheritdoc />
    public string Notebook => "10-paper-vs-reference";

    /// <inheritdoc />
    public string Title => "CGGM as written vs CGGM as released: each quirk of the released code and its effect";

    /// <inheritdoc />
    public DatasetDescriptor DefaultDataset => PaperVsReference.DefaultDataset;

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(DefaultDataset, profile, dataRoot, progress, cancellation);

    /// <inheritdoc />
    public ReproductionResult Run(DatasetDescriptor dataset, Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null,
                                  CancellationToken cancellation = default) =>
        Build(PaperVsReference.Run(profile, dataRoot, dataset, RepositoryPaths.Runs(((IDatasetReproduction)this).Folder(dataset), profile.ToString().ToLowerInvariant()),
                                   progress, cancellation));

    /// <summary>Tables and charts of a finished ladder.</summary>
    public static ReproductionResult Build(PaperVsReferenceResult result)
    {
        var rungs = new DataFrame(
            new StringDataFrameColumn("Row", result.Rungs.Select(r => r.Label)),
            new StringDataFrameColumn("Quirk added", result.Rungs.Select(r => r.Quirk)),
            new StringDataFrameColumn("Method", result.Rungs.Select(r => r.Method)),
            new StringDataFrameColumn("Cosine on", result.Rungs.Select(r => r.Method == MethodNames.Joint ? "" : r.Cggm.SimilarityInUse.ToString().ToLowerInvariant())),
            new StringDataFrameColumn("ρ", result.Rungs.Select(r => r.Cggm.Rho?.ToString() ?? "off")),
            new DoubleDataFrameColumn("λ", result.Rungs.Select(r => (double?)r.Cggm.Lambda)),
            new BooleanDataFrameColumn("guard", result.Rungs.Select(r => (bool?)r.Cggm.GuardEnabled)),
            new BooleanDataFrameColumn("shuffled", result.Rungs.Select(r => (bool?)r.ShuffleTrain)));
        var charts = new List<NamedChart>
        {
            new("metric", ReproductionCharts.MethodBars(result.Table, 0, $"{result.Dataset.DisplayName}: {result.Metric.Column.Header} per row of the ladder (test set)")),
            new("quirk-effects", ReproductionCharts.QuirkEffects(result.Table, "The effect of each quirk: change from the row above, paired by seed")),
        };
        var notes = new List<string>
        {
            $"{result.Profile} profile, seeds {string.Join(", ", result.Seeds)}, the same data, settings and initial weights per seed on every row; " +
            "each row adds one quirk of the released code to the row above, and the last row is the released code (cggm-reference).",
        };
        if (result.IsSample) notes.Add("Sample data in the dataset's exact format, read through the real loader: these numbers are not the paper's.");
        return new ReproductionResult("paper-vs-reference", "Paper vs Reference CGGM", result.Profile,
            [new NamedTable("ladder", DataFrames.From(result.Table), result.Table), new NamedTable("rows", rungs)], charts, notes);
    }
}
