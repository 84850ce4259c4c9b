using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;

namespace Cggm.Notebooks.Reproductions;

/// <summary>03-cmu-mosi: Table 4's CMU-MOSI columns (Acc-2, Acc-7, F1, MAE, Corr) for every method defined for regression.</summary>
public sealed class MosiReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "cmu-mosi";

    /// <inheritdoc />
    public string Notebook => "03-cmu-mosi";

    /// <inheritdoc />
    public string Title => "CMU-MOSI (Table 4): every method defined for regression, Acc-2, Acc-7, F1, MAE, Corr";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(PaperComparison.Run(DatasetRegistry.Mosi, profile, Name, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of a finished comparison.</summary>
    public static ReproductionResult Build(PaperComparisonResult result)
    {
        var table = result.Table;
        var charts = new List<NamedChart>
        {
            new("table4-accuracy", ResultCharts.Bars(table, ["Acc-2 (%)", "F1 (%)", "Acc-7 (%)"], "test score (%)", "CMU-MOSI: test Acc-2, F1 and Acc-7 per method (mean ± std over seeds)")),
            new("table4-mae", ResultCharts.Bars(table, ["MAE"], "test MAE (lower is better)", "CMU-MOSI: test mean absolute error per method (mean ± std over seeds)")),
            new("modality-classifiers", ResultCharts.Bars(table, result.Modalities.Select(m => $"f({m}) Acc-2 (%)").ToArray(), "classifier test Acc-2 (%)",
                "CMU-MOSI: test Acc-2 of each modality's classifier f_i per method")),
        };
        return new ReproductionResult("cmu-mosi", "CMU-MOSI (Table 4)", result.Profile, [new NamedTable("table4", DataFrames.From(table), table)], charts, Notes(result));
    }

    /// <summary>The notes of a comparison: sample-data warning, settings, seeds, what "f(m)" means, and the methods without a row.</summary>
    public static IReadOnlyList<string> Notes(PaperComparisonResult result)
    {
        var notes = new List<string>
        {
            result.Settings,
            $"Seeds {string.Join(", ", result.Seeds)}; each cell is mean ± std over seeds of the test score at the epoch with the best validation score. " +
            "The paper's column holds its reported value where it is public as text (docs/paper-notes.md); every other paper cell is unknown and left blank.",
            "f(m): the test score of modality m's classifier on its encoder's detached features — the method's own unimodal head where it has one " +
            "(CGGM, G-Blending, UME, QMF, MMPareto), else the trainer's passive probe, which never changes the model.",
        };
        if (result.IsSample) notes.Insert(0, ReproductionDefaults.SampleNote);
        foreach (var (method, reason) in result.Runs.Undefined) notes.Add($"No row for {method}: {reason}");
        return notes;
    }
}
