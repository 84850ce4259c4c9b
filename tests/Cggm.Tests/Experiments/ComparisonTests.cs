using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using static Cggm.Tests.Experiments.ExperimentTestKit;

namespace Cggm.Tests.Experiments;

[Collection(Cggm.Tests.Modulation.ModulationCollection.Name)]
public class ComparisonTests
{
    [Fact]
    public void Unimodal_training_runs_once_per_modality_and_methods_undefined_for_the_task_get_no_row()
    {
        var setup = Tiny(SyntheticTarget.Regression);
        using var _ = (SyntheticImbalance)setup.Data;
        var reports = new List<RecipeProgress>();
        var result = ComparisonRunner.Run(setup, ["unimodal", "ogm-ge", "joint"], [0], progress: new Collect(reports));
        Assert.Equal(["unimodal-0", "unimodal-1", "joint"], result.Runs.Select(r => r.Method));
        Assert.Equal(["ogm-ge"], result.Undefined.Keys);
        Assert.Contains("regression", result.Undefined["ogm-ge"]);
        Assert.All(reports, p => Assert.Equal(4, p.RunCount));
        Assert.Equal([0, 1, 3], reports.Select(p => p.RunIndex).Distinct());
        Assert.Throws<ArgumentException>(() => ComparisonRunner.Run(setup, ["no-such-method"], [0]));
    }

    [Fact]
    public void Shift_moves_a_part_of_a_recipe_into_the_whole_recipe_s_progress()
    {
        var reports = new List<RecipeProgress>();
        var shifted = ComparisonRunner.Shift(new Collect(reports), offset: 6, total: 10)!;
        shifted.Report(new RecipeProgress("cggm", 1, 2, 3, new Cggm.Training.TrainingProgress(Cggm.Training.ProgressStage.Step, 0, 1, 1, 1, 0.5)));
        Assert.Equal((8, 10), (reports[0].RunIndex, reports[0].RunCount));
        Assert.Null(ComparisonRunner.Shift(null, 6, 10));
    }

    [Fact]
    public void The_mosi_table_has_table_4_s_columns_the_reported_mae_beside_cggm_and_named_unimodal_rows()
    {
        var metrics = new Dictionary<string, double> { ["acc2"] = 0.8, ["acc7"] = 0.3, ["f1"] = 0.79, ["mae"] = 0.9, ["corr"] = 0.6 };
        var runs = new[]
        {
            Run("unimodal-1", 0, metrics), Run("joint", 0, metrics), Run("cggm", 0, metrics), Run("cggm", 1, metrics),
        };
        var table = PaperComparison.Table(DatasetRegistry.Mosi, "regression", runs, Sequence);
        Assert.Equal(["Acc-2 (%)", "Acc-7 (%)", "F1 (%)", "MAE", "Corr", "f(text) Acc-2 (%)", "f(audio) Acc-2 (%)", "f(vision) Acc-2 (%)", "Train time (s)"],
                     table.Columns.Select(c => c.Header));
        Assert.Equal(["unimodal (audio)", "joint", "cggm"], table.Rows.Select(r => r.Method));
        var cggm = table.Rows[2];
        Assert.Equal(0.747, cggm.Paper![3]);
        Assert.Equal(2, cggm.Values[3]!.Count);
        Assert.All(table.Rows.Take(2), r => Assert.All(r.Paper!, Assert.Null));
        Assert.True(table.HasPaper(3));
        Assert.False(table.HasPaper(0));
        Assert.Contains("| MAE (paper) |", table.ToMarkdown());
        Assert.DoesNotContain("Acc-2 (%) (paper)", table.ToMarkdown());
        Assert.Null(cggm.Values[5]);   // no classifier metrics recorded
    }

    [Fact]
    public void The_iemocap_table_reports_weighted_f1_and_the_reported_accuracy_beside_cggm()
    {
        var metrics = new Dictionary<string, double> { ["accuracy"] = 0.7, ["f1_weighted"] = 0.69, ["f1_macro"] = 0.5 };
        var table = PaperComparison.Table(DatasetRegistry.Iemocap, "classification", [Run("cggm", 0, metrics, Accuracies(0.6, 0.5, 0.4))], Sequence);
        Assert.Equal(["Acc (%)", "F1 (%)", "f(text) Acc (%)", "f(audio) Acc (%)", "f(vision) Acc (%)", "Train time (s)"], table.Columns.Select(c => c.Header));
        Assert.Equal(0.69, table.Rows[0].Values[1]!.Mean);
        Assert.Equal(0.5, table.Rows[0].Values[3]!.Mean);
        Assert.Equal(75.38, table.Rows[0].Paper![0]);
        Assert.Throws<ArgumentException>(() => PaperComparison.Table(DatasetRegistry.Iemocap, "ranking", [], Sequence));
    }

    [Fact]
    public void Table_5_reads_each_classifier_from_the_right_run_in_the_paper_s_column_order()
    {
        var m = new Dictionary<string, double> { ["accuracy"] = 0.5 };
        var runs = new[]
        {
            Run("unimodal-0", 0, m, Accuracies(0.70, 0.10, 0.10)), Run("unimodal-1", 0, m, Accuracies(0.10, 0.55, 0.10)),
            Run("unimodal-2", 0, m, Accuracies(0.10, 0.10, 0.45)),
            Run("joint", 0, m, Accuracies(0.72, 0.50, 0.40)), Run("joint", 1, m, Accuracies(0.74, 0.52, 0.42)),
            Run("cggm", 0, m, Accuracies(0.75, 0.58, 0.48)), Run("mrd", 0, m, Accuracies(0.99, 0.99, 0.99)),
        };
        var table = ClassifierAccuracy.Table("t5", runs, Sequence, ClassifierAccuracy.PaperOrder);
        Assert.Equal(["f1 (audio) Acc (%)", "f2 (video) Acc (%)", "f3 (text) Acc (%)"], table.Columns.Select(c => c.Header));
        Assert.Equal(["unimodal training", "joint training", "CGGM"], table.Rows.Select(r => r.Method));
        Assert.Equal([0.55, 0.45, 0.70], table.Rows[0].Values.Select(v => v!.Mean));
        Assert.Equal([0.51, 0.41, 0.73], table.Rows[1].Values.Select(v => Math.Round(v!.Mean, 10)));
        Assert.Equal(2, table.Rows[1].Values[0]!.Count);
        Assert.Equal([0.58, 0.48, 0.75], table.Rows[2].Values.Select(v => v!.Mean));
        Assert.Throws<ArgumentException>(() => ClassifierAccuracy.Table("t5", runs, Sequence, [1, 1, 0]));
    }
}

internal sealed class Collect(List<RecipeProgress> reports) : IProgress<RecipeProgress>
{
    public void Report(RecipeProgress value) => reports.Add(value);
}
