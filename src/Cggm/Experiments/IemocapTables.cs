using Cggm.Experiments.Datasets;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>The IEMOCAP experiments of the paper: the comparison (Table 4), the classifier accuracies (Table 5) and the ablation (Table 6).</summary>
/// <param name="Comparison">Every method defined for classification (Table 4: Acc, F1).</param>
/// <param name="Classifiers">Table 5: each modality classifier's test accuracy under unimodal, joint and CGGM training, columns f1 (audio), f2 (video), f3 (text).</param>
/// <param name="AblationRuns">Table 6's runs, named by row.</param>
/// <param name="Ablation">Table 6: joint, magnitude only, direction only, both.</param>
public sealed record IemocapTablesResult(PaperComparisonResult Comparison, ResultTable Classifiers, IReadOnlyList<ExperimentRun> AblationRuns, ResultTable Ablation);

/// <summary>
/// The recipe behind the IEMOCAP notebook: one comparison run (Table 4) whose unimodal, joint and CGGM runs also give Table 5,
/// then the two partial CGGM variants of the ablation (Table 6; its joint and full-CGGM rows reuse the comparison's runs).
/// Runs go to <c>runs/&lt;name&gt;/&lt;profile&gt;/</c> and are reused.
/// </summary>
public static class IemocapTables
{
    /// <summary>Runs the three tables' experiments on IEMOCAP at <paramref name="profile"/>.</summary>
    public static IemocapTablesResult Run(Profile profile, string name, string? dataRoot = null, IReadOnlyList<string>? methods = null,
                                          IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var iemocap = DatasetRegistry.Iemocap;
        var (setup, data) = PaperExperiment.Setup(iemocap, profile, dataRoot);
        using var _ = data;
        methods ??= MethodComparison.AllMethods;
        var seeds = PaperExperiment.Seeds(iemocap, profile);
        int comparisonRuns = methods.Sum(m => m == MethodNames.Unimodal ? setup.Data.Modalities.Count : 1) * seeds.Count;
        int total = comparisonRuns + CggmAblation.Rows(setup.Methods.Cggm).Count * seeds.Count;
        var comparison = PaperComparison.Run(iemocap, setup, data.IsSample, profile, name, methods, seeds, ComparisonRunner.Shift(progress, 0, total), cancellation);
        var classifiers = ClassifierAccuracy.Table("IEMOCAP (Table 5): test accuracy of each modality classifier, mean ± std over seeds",
                                                   comparison.Runs.Runs, comparison.Modalities, ClassifierAccuracy.PaperOrder);
        var ablationRuns = CggmAblation.Run(setup, seeds, PaperComparison.RunRoot(name, profile, data.IsSample), resume: true,
                                            ComparisonRunner.Shift(progress, comparisonRuns, total), cancellation);
        var ablation = CggmAblation.Table("IEMOCAP (Table 6): ablation of CGGM's magnitude and direction terms, test set, mean ± std over seeds", ablationRuns);
        return new IemocapTablesResult(comparison, classifiers, ablationRuns, ablation);
    }
}
