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
        for (int m = 0; m < modalities.Count; m++)
        {
            int i = m;
            columns.Add((new ResultColumn($"f({modalities[m]}) Acc (%)"),
                r => r.Result.Test.PerModality.Count > i ? r.Result.Test.PerModality[i]["accuracy"] : null));
        }
        return Build(title, runs, columns);
    }

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
