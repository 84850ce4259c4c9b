using Cggm.Experiments.Datasets;
using Cggm.IO;
namespace Cggm.Experiments;

/// <summary>A comparison on one of the paper's datasets at a profile.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Profile">The profile it ran at.</param>
/// <param name="IsSample">True when it ran on sample data (numbers mean nothing about the paper).</param>
/// <param name="Settings">What the profile ran: the paper's settings, or the budget that scaled them down.</param>
/// <param name="Seeds">Seeds.</param>
/// <param name="Modalities">Modality names, in the dataset's order.</param>
/// <param name="Runs">The runs and the methods not defined for the task.</param>
/// <param name="Table">The paper's table for the dataset: ours as mean ± std over seeds on test, the paper's value beside it where known.</param>
public sealed record PaperComparisonResult(DatasetDescriptor Dataset, Profile Profile, bool IsSample, string Settings, IReadOnlyList<int> Seeds,
                                           IReadOnlyList<string> Modalities, ComparisonRuns Runs, ResultTable Table);

/// <summary>
/// The method comparison of the paper's Tables 2–4 on one of its datasets: every method of <see cref="MethodComparison.AllMethods"/>
/// that is defined for the dataset's task (unimodal training once per modality), each trained with the paper's settings for
/// the dataset (<see cref="PaperExperiment"/>) over the profile's seeds, chosen on validation and reported on test.
/// </summary>
public static class PaperComparison
{
    /// <summary>Runs the comparison; runs are written under <see cref="RunRoot"/> and reused from there.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="profile">Profile.</param>
    /// <param name="name">Experiment name (the run folder).</param>
    /// <param name="dataRoot">Data root (null: <c>CGGM_DATA</c>, else <c>./data</c>).</param>
    /// <param name="methods">Methods (null: <see cref="MethodComparison.AllMethods"/>).</param>
    /// <param name="seeds">Seeds (null: the dataset's at the profile, <see cref="PaperExperiment.Seeds(DatasetDescriptor, Profile, ProfileBudget)"/>).</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellation">Cancellation.</param>
    public static PaperComparisonResult Run(DatasetDescriptor dataset, Profile profile, string name, string? dataRoot = null, IReadOnlyList<string>? methods = null,
                                            IReadOnlyList<int>? seeds = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var (setup, data) = PaperExperiment.Setup(dataset, profile, dataRoot);
        using var _ = data;
        return Run(dataset, setup, data.IsSample, profile, name, methods, seeds, progress, cancellation);
    }

    /// <summary>Runs the comparison on <paramref name="dataset"/>, opened as <paramref name="setup"/> (<paramref name="isSample"/>: it holds sample data).</summary>
    public static PaperComparisonResult Run(DatasetDescriptor dataset, ExperimentSetup setup, bool isSample, Profile profile, string name, IReadOnlyList<string>? methods = null,
                                            IReadOnlyList<int>? seeds = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        seeds ??= PaperExperiment.Seeds(dataset, profile);
        var modalities = setup.Data.Modalities.Select(m => m.Name).ToArray();
        var runs = ComparisonRunner.Run(setup, methods ?? MethodComparison.AllMethods, seeds, RunRoot(name, profile, isSample), resume: true, progress, cancellation);
        return new PaperComparisonResult(dataset, profile, isSample, PaperExperiment.Describe(dataset, profile), seeds, modalities, runs,
                                         Table(dataset, setup.Task.Kind, runs.Runs, modalities));
    }

    /// <summary>
    /// The folder of an experiment's runs at a profile: <c>runs/&lt;name&gt;/&lt;profile&gt;</c>, or <c>…/&lt;profile&gt;-sample</c>
    /// on sample data (a run's config does not record which data it saw, so runs on sample data are never reused for real data).
    /// </summary>
    public static string RunRoot(string name, Profile profile, bool isSample) =>
        RepositoryPaths.Runs(name, profile.ToString().ToLowerInvariant() + (isSample ? "-sample" : ""));

    /// <summary>
    /// The paper's table for <paramref name="dataset"/>: CMU-MOSI (Table 4) Acc-2, Acc-7, F1, MAE, Corr; classification
    /// (IEMOCAP, Table 4; Food-101, Table 2) Acc and weighted F1 (the released code's F1); BraTS (Table 3) Dice WT, TC, ET and
    /// average. Then each modality classifier's test score and the training time. One row per method, unimodal rows labelled
    /// "unimodal (modality)"; the paper's value beside ours where the dataset's <see cref="DatasetDescriptor.PaperTable"/> has one.
    /// </summary>
    public static ResultTable Table(DatasetDescriptor dataset, string taskKind, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities)
    {
        var columns = new List<(ResultColumn Column, string? Metric, Func<ExperimentRun, double?> Value)>();
        void Metric(string header, string key, double scale = 100, int decimals = 2) =>
            columns.Add((new ResultColumn(header, scale, decimals), key, r => r.Result.Test.Metrics.TryGetValue(key, out var v) ? v : null));
        string perModality;
        switch (taskKind)
        {
            case "regression":
                Metric("Acc-2 (%)", "acc2"); Metric("Acc-7 (%)", "acc7"); Metric("F1 (%)", "f1"); Metric("MAE", "mae", 1, 3); Metric("Corr", "corr", 1, 3);
                perModality = "acc2";
                break;
            case "classification":
                Metric("Acc (%)", "accuracy"); Metric("F1 (%)", "f1_weighted");
                perModality = "accuracy";
                break;
            case "segmentation":
                Metric("WT (%)", "dice_wt"); Metric("TC (%)", "dice_tc"); Metric("ET (%)", "dice_et"); Metric("Avg (%)", "dice_avg");
                perModality = "dice_avg";
                break;
            default:
                throw new ArgumentException($"No paper table for task kind '{taskKind}'.", nameof(taskKind));
        }
        for (int m = 0; m < modalities.Count; m++)
        {
            int i = m;
            columns.Add((new ResultColumn($"f({modalities[i]}) {Label(perModality)} (%)"), null,
                r => r.Result.Test.PerModality.Count > i && r.Result.Test.PerModality[i].TryGetValue(perModality, out var v) ? v : null));
        }
        // From the per-epoch records, so runs reused from their folders still report their full cost.
        columns.Add((new ResultColumn("Train time (s)", 1, 0), null, r => r.Result.History.Epochs.Sum(e => e.Seconds)));
        var table = Tables.Build(TitleOf(dataset, taskKind), runs, columns.Select(c => (c.Column, c.Value)).ToArray());
        var rows = table.Rows.Select(r => new ResultRow(RowLabel(r.Method, modalities), r.Values,
            columns.Select(c => c.Metric is null ? null : dataset.PaperTable?.Get(r.Method, c.Metric)).ToArray())).ToArray();
        return table with { Rows = rows };
    }

    /// <summary>"unimodal-1" → "unimodal (audio)"; other method names unchanged.</summary>
    public static string RowLabel(string method, IReadOnlyList<string> modalities) =>
        method.StartsWith("unimodal-", StringComparison.Ordinal) && int.TryParse(method["unimodal-".Length..], out int i) && i >= 0 && i < modalities.Count
            ? $"unimodal ({modalities[i]})"
            : method;

    private static string Label(string metric) => metric switch { "acc2" => "Acc-2", "accuracy" => "Acc", _ => "Dice" };

    private static string TitleOf(DatasetDescriptor dataset, string taskKind) =>
        (dataset.PaperTable is { } paper ? $"{dataset.DisplayName} ({paper.Number})" : $"{dataset.Name} ({taskKind})") + ": test set, mean ± std over seeds";
}
