using Cggm.Experiments.Datasets;
using Cggm.Training;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>The gradient analysis on one dataset: joint training and CGGM, with every run's history.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Profile">The profile it ran at.</param>
/// <param name="IsSample">True when it ran on sample data (numbers mean nothing about the paper).</param>
/// <param name="Settings">What the profile ran.</param>
/// <param name="Seeds">Seeds.</param>
/// <param name="Modalities">Modality names.</param>
/// <param name="Metric">The per-modality metric of the accuracy panels ("acc2" on CMU-MOSI, "accuracy" on classification).</param>
/// <param name="Runs">Joint training and CGGM, one run per seed each.</param>
/// <param name="Results">Test results of both (the paper's table columns for the dataset).</param>
/// <param name="Dynamics">The three panels' quantities per modality at the first and the last epoch.</param>
public sealed record GradientAnalysisResult(DatasetDescriptor Dataset, Profile Profile, bool IsSample, string Settings, IReadOnlyList<int> Seeds, IReadOnlyList<string> Modalities,
                                            string Metric, IReadOnlyList<ExperimentRun> Runs, ResultTable Results, ResultTable Dynamics);

/// <summary>
/// The paper's gradient analysis (§3.2 Fig. 2 and §4.4 Fig. 3, CMU-MOSI): per-modality accuracy, encoder gradient magnitude
/// (L2 norm) and the cosine between each modality's gradient and the fusion gradient over training, under joint training
/// (Fig. 2) and under CGGM (Fig. 3). Everything comes from the runs' histories: under CGGM the classifiers f_i are CGGM's own and
/// the cosine is its direction term's sim(∇W_𝓕 𝓛, ∇W_{f_i} 𝓛) (Eq. 11); under joint training passive probes of the same
/// architecture learn on detached features and the same cosine is taken with their gradients, without changing the model.
/// CGGM is the paper's variant (gradient cosines); the released variant's cosine is between weights, not comparable with the probes'.
/// </summary>
public static class GradientAnalysis
{
    /// <summary>The two trainings compared: joint training (Fig. 2) and CGGM (Fig. 3).</summary>
    public static IReadOnlyList<string> Methods { get; } = [MethodNames.Joint, MethodNames.Cggm];

    /// <summary>
    /// The budget at <paramref name="profile"/>: Quick trains longer than the dataset's comparison budget so the curves have
    /// iterations to show (at most 512 training samples, 8 epochs) and runs one seed, as the paper's figures show one run;
    /// Smoke and Paper are the dataset's (Paper: the paper's settings; lines are means over its seeds).
    /// </summary>
    public static ProfileBudget? Budget(DatasetDescriptor dataset, Profile profile) =>
        profile == Profile.Quick && dataset.Budget(profile) is { } quick ? quick with { Train = 512, Epochs = 8, Seeds = 1 } : dataset.Budget(profile);

    /// <summary>
    /// Runs the analysis on <paramref name="dataset"/> (default: the paper's, CMU-MOSI); runs go to
    /// <c>runs/gradient-analysis/&lt;profile&gt;/</c> (<see cref="PaperComparison.RunRoot"/>).
    /// </summary>
    public static GradientAnalysisResult Run(Profile profile, string? dataRoot = null, DatasetDescriptor? dataset = null,
                                             IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        dataset ??= DatasetRegistry.Mosi;
        var budget = Budget(dataset, profile);
        var (setup, data) = PaperExperiment.Setup(dataset, profile, dataRoot, budget: budget);
        using var _ = data;
        var seeds = PaperExperiment.Seeds(dataset, profile, budget);
        var modalities = setup.Data.Modalities.Select(m => m.Name).ToArray();
        var runs = ExperimentRunner.Run(setup, Methods, seeds, PaperComparison.RunRoot("gradient-analysis", profile, data.IsSample), resume: true, progress, cancellation);
        var metric = setup.Task.Kind == "regression" ? "acc2" : "accuracy";
        return new GradientAnalysisResult(dataset, profile, data.IsSample, PaperExperiment.Describe(dataset, profile, budget), seeds, modalities, metric, runs,
            PaperComparison.Table(dataset, setup.Task.Kind, runs, modalities), Dynamics(runs, modalities, metric));
    }

    /// <summary>
    /// Rows "method: modality" and "method: fused"; columns: validation <paramref name="metric"/> after the first and the last
    /// epoch (%), the mean encoder gradient norm over the first and the last epoch's steps (the gradient applied: after
    /// CGGM's scaling by B_i where the method modulates, else as back-propagated), and the mean modality-vs-fusion cosine over
    /// the same steps. Mean ± std over seeds.
    /// </summary>
    public static ResultTable Dynamics(IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities, string metric)
    {
        var label = metric == "acc2" ? "Acc-2" : "Acc";
        var columns = new ResultColumn[]
        {
            new($"valid {label}, first epoch (%)"), new($"valid {label}, last epoch (%)"),
            new("‖∇φ‖ first epoch", 1, 4), new("‖∇φ‖ last epoch", 1, 4),
            new("cos first epoch", 1, 3), new("cos last epoch", 1, 3),
        };
        var rows = new List<ResultRow>();
        foreach (var group in runs.GroupBy(r => r.Method))
        {
            var histories = group.Select(r => r.Result.History).ToArray();
            for (int m = 0; m <= modalities.Count; m++)
            {
                bool fused = m == modalities.Count;
                int i = m;
                rows.Add(new ResultRow($"{group.Key}: {(fused ? "fused" : modalities[m])}",
                [
                    Over(histories, h => ValidMetric(h.Epochs.FirstOrDefault(), fused ? null : i, metric)),
                    Over(histories, h => ValidMetric(h.Epochs.LastOrDefault(), fused ? null : i, metric)),
                    fused ? null : Over(histories, h => StepMean(h, first: true, s => (s.GradNormModulated ?? s.GradNorm)?[i])),
                    fused ? null : Over(histories, h => StepMean(h, first: false, s => (s.GradNormModulated ?? s.GradNorm)?[i])),
                    fused ? null : Over(histories, h => StepMean(h, first: true, s => s.Cosine?[i])),
                    fused ? null : Over(histories, h => StepMean(h, first: false, s => s.Cosine?[i])),
                ]));
            }
        }
        return new ResultTable("Training dynamics per modality (Fig. 2 and 3, first vs last epoch)", columns, rows);
    }

    private static MeanStd? Over(IEnumerable<TrainingHistory> histories, Func<TrainingHistory, double?> value)
    {
        var values = histories.Select(value).Where(v => v is not null && double.IsFinite(v.Value)).Select(v => v!.Value).ToArray();
        return values.Length == 0 ? null : MeanStd.Of(values);
    }

    private static double? ValidMetric(EpochRecord? epoch, int? modality, string metric)
    {
        if (epoch is null) return null;
        if (modality is not { } m) return epoch.Valid.TryGetValue(metric, out var fused) ? fused : null;
        return m < epoch.ValidPerModality.Count && epoch.ValidPerModality[m].TryGetValue(metric, out var v) ? v : null;
    }

    private static double? StepMean(TrainingHistory history, bool first, Func<StepRecord, double?> select)
    {
        if (history.Steps.Count == 0) return null;
        int epoch = first ? history.Steps[0].Epoch : history.Steps[^1].Epoch;
        var values = history.Steps.Where(s => s.Epoch == epoch).Select(select).Where(v => v is not null).Select(v => v!.Value).ToArray();
        return values.Length == 0 ? null : values.Average();
    }
}
