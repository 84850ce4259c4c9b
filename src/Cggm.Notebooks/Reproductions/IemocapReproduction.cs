using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;

namespace Cggm.Notebooks.Reproductions;

/// <summary>04-iemocap: Table 4 (Acc, F1 of every method defined for classification), Table 5 (classifier accuracies) and Table 6 (ablation).</summary>
public sealed class IemocapReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => DatasetRegistry.Iemocap.Name;

    /// <inheritdoc />
    public string Notebook => "04-iemocap";

    /// <inheritdoc />
    public string Title => "IEMOCAP: every method (Table 4), classifier accuracies (Table 5), magnitude/direction ablation (Table 6)";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(IemocapTables.Run(profile, Name, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of the finished experiments.</summary>
    public static ReproductionResult Build(IemocapTablesResult result)
    {
        var c = result.Comparison;
        var charts = new List<NamedChart>
        {
            new("table4-accuracy", ResultCharts.Bars(c.Table, ["Acc (%)", "F1 (%)"], "test score (%)", "IEMOCAP: test accuracy and weighted F1 per method (mean ± std over seeds)")),
            new("modality-classifiers", ResultCharts.Bars(c.Table, c.Modalities.Select(m => $"f({m}) Acc (%)").ToArray(), "classifier test accuracy (%)",
                "IEMOCAP: test accuracy of each modality's classifier f_i per method")),
            new("table5-classifiers", ResultCharts.Bars(result.Classifiers, result.Classifiers.Columns.Select(col => col.Header).ToArray(), "classifier test accuracy (%)",
                "Table 5 · IEMOCAP: each modality classifier under unimodal, joint and CGGM training", xTitle: "training")),
            new("table6-ablation", ResultCharts.Bars(result.Ablation, ["Acc (%)", "F1 (%)"], "test score (%)",
                "Table 6 · IEMOCAP: CGGM's magnitude and direction terms alone and together", xTitle: "variant")),
        };
        var notes = MosiReproduction.Notes(c).ToList();
        notes.Add("Table 5: the paper's f1, f2, f3 are audio, video, text; our modality order is text, audio, vision. Under unimodal training f_i is the " +
                  "probe of the model trained on modality i alone; under joint training the passive probe; under CGGM its own classifier.");
        notes.Add("Table 6: every row keeps IEMOCAP's CGGM settings except the part it switches off (magnitude only: λ = 0; direction only: ρ = None); " +
                  "joint training and the full row are the Table 4 runs.");
        return new ReproductionResult(DatasetRegistry.Iemocap.Name, "IEMOCAP (Tables 4, 5, 6)", c.Profile,
        [
            new NamedTable("table4", DataFrames.From(c.Table), c.Table),
            new NamedTable("table5", DataFrames.From(result.Classifiers), result.Classifiers),
            new NamedTable("table6", DataFrames.From(result.Ablation), result.Ablation),
        ], charts, notes);
    }
}
