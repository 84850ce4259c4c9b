using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;

namespace Cggm.Notebooks.Reproductions;

/// <summary>05-food101: Table 2, every method defined for classification on UPMC-Food 101 (Acc, F1).</summary>
public sealed class Food101Reproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => DatasetRegistry.Food101.Name;

    /// <inheritdoc />
    public string Notebook => "05-food101";

    /// <inheritdoc />
    public string Title => "UPMC-Food 101 (Table 2): every method defined for classification, Acc and F1";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(PaperComparison.Run(DatasetRegistry.Food101, profile, Name, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of a finished comparison.</summary>
    public static ReproductionResult Build(PaperComparisonResult result)
    {
        var table = result.Table;
        var charts = new List<NamedChart>
        {
            new("table2", ResultCharts.Bars(table, ["Acc (%)", "F1 (%)"], "test score (%)", "UPMC-Food 101: test accuracy and weighted F1 per method (mean ± std over seeds)")),
            new("modality-classifiers", ResultCharts.Bars(table, result.Modalities.Select(m => $"f({m}) Acc (%)").ToArray(), "classifier test accuracy (%)",
                "UPMC-Food 101: test accuracy of each modality's classifier f_i per method")),
        };
        return new ReproductionResult(DatasetRegistry.Food101.Name, "UPMC-Food 101 (Table 2)", result.Profile, [new NamedTable("table2", DataFrames.From(table), table)], charts, MosiReproduction.Notes(result));
    }
}
