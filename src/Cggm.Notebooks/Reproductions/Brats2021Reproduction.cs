using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;

namespace Cggm.Notebooks.Reproductions;

/// <summary>06-brats2021: Table 3, every method defined for segmentation on BraTS 2021 (Dice WT, TC, ET, average).</summary>
public sealed class Brats2021Reproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => DatasetRegistry.Brats2021.Name;

    /// <inheritdoc />
    public string Notebook => "06-brats2021";

    /// <inheritdoc />
    public string Title => "BraTS 2021 (Table 3): every method defined for segmentation, Dice WT, TC, ET and average";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(PaperComparison.Run(DatasetRegistry.Brats2021, profile, Name, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of a finished comparison.</summary>
    public static ReproductionResult Build(PaperComparisonResult result)
    {
        var table = result.Table;
        var charts = new List<NamedChart>
        {
            new("table3", ResultCharts.Bars(table, ["WT (%)", "TC (%)", "ET (%)", "Avg (%)"], "test Dice (%)", "BraTS 2021: test Dice per region and method (mean ± std over seeds)")),
            new("modality-classifiers", ResultCharts.Bars(table, result.Modalities.Select(m => $"f({m}) Dice (%)").ToArray(), "classifier test average Dice (%)",
                "BraTS 2021: test average Dice of each modality's classifier f_i per method")),
        };
        return new ReproductionResult(DatasetRegistry.Brats2021.Name, "BraTS 2021 (Table 3)", result.Profile, [new NamedTable("table3", DataFrames.From(table), table)], charts, MosiReproduction.Notes(result));
    }
}
