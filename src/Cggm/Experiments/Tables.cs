namespace Cggm.Experiments;

/// <summary>Standard result tables built from finished runs (rows in the order methods first appear).</summary>
public static class Tables
{
    /// <summary>Test accuracy and macro-F1 of the fused prediction, then each modality classifier's test accuracy, in %.</summary>
    public static ResultTable ClassificationWithModalities(string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities)
    {
        var columns = new List<(ResultColumn Column, Func<ExperimentRun, double?> Value)>
        {
            (new ResultColumn("Acc (%)"), r => r.Result.Test.Metrics["accuracy"]),
            (new ResultColumn("Macro-F1 (%)"), r => r.Result.Test.Metrics["f1_macro"]),
        };
        columns.AddRange(PerModality(modalities, "accuracy", "Acc"));
        return Build(title, runs, columns);
    }

    /// <summary>The paper's CMU-MOSI columns (Table 4: Acc-2, Acc-7, F1 in %, MAE, Corr), then each modality classifier's Acc-2 (%).</summary>
    public static ResultTable RegressionWithModalities(string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities)
    {
        var columns = new List<(ResultColumn Column, Func<ExperimentRun, double?> Value)>
        {
            (new ResultColumn("Acc-2 (%)"), r => r.Result.Test.Metrics["acc2"]),
            (new ResultColumn("Acc-7 (%)"), r => r.Result.Test.Metrics["acc7"]),
            (new ResultColumn("F1 (%)"), r => r.Result.Test.Metrics["f1"]),
            (new ResultColumn("MAE", 1, 3), r => r.Result.Test.Metrics["mae"]),
            (new ResultColumn("Corr", 1, 3), r => r.Result.Test.Metrics["corr"]),
        };
        columns.AddRange(PerModality(modalities, "acc2", "Acc-2"));
        return Build(title, runs, columns);
    }

    /// <summary>The paper's BraTS columns (Table 3: Dice WT, TC, ET and their average, in %), then each modality classifier's mean Dice (%).</summary>
    public static ResultTable SegmentationWithModalities(string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities)
    {
        var columns = new List<(ResultColumn Column, Func<ExperimentRun, double?> Value)>
        {
            (new ResultColumn("WT (%)"), r => r.Result.Test.Metrics["dice_wt"]),
            (new ResultColumn("TC (%)"), r => r.Result.Test.Metrics["dice_tc"]),
            (new ResultColumn("ET (%)"), r => r.Result.Test.Metrics["dice_et"]),
            (new ResultColumn("Avg (%)"), r => r.Result.Test.Metrics["dice_avg"]),
        };
        columns.AddRange(PerModality(modalities, "dice_avg", "Dice"));
        return Build(title, runs, columns);
    }

    /// <summary>The standard table for the task kind of the runs ("classification", "regression", "segmentation").</summary>
    public static ResultTable ForTask(string kind, string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities) => kind switch
    {
        "classification" => ClassificationWithModalities(title, runs, modalities),
        "regression" => RegressionWithModalities(title, runs, modalities),
        "segmentation" => SegmentationWithModalities(title, runs, modalities),
        _ => throw new ArgumentException($"No standard table for task kind '{kind}'.", nameof(kind)),
    };

    private static IEnumerable<(ResultColumn, Func<ExperimentRun, double?>)> PerModality(IReadOnlyList<string> modalities, string metric, string label) =>
        modalities.Select((m, i) => (new ResultColumn($"f({m}) {label} (%)"),
            (Func<ExperimentRun, double?>)(r => r.Result.Test.PerModality.Count > i ? r.Result.Test.PerModality[i][metric] : null)));

    /// <summary>A table with one row per method and the given columns, each aggregated over the method's seeds.</summary>
    public static ResultTable Build(string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<(ResultColumn Column, Func<ExperimentRun, double?> Value)> columns)
    {
        var rows = runs.GroupBy(r => r.Method).Select(g => new ResultRow(g.Key, columns.Select(c =>
        {
            var values = g.Select(c.Value).Where(v => v is not null).Select(v => v!.Value).ToArray();
            return values.Length == 0 ? null : MeanStd.Of(values);
        }).ToArray())).ToArray();
        return new ResultTable(title, columns.Select(c => c.Column).ToArray(), rows);
    }
}
