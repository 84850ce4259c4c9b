using Cggm.Data;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>What <c>cggm compare</c> runs: every balancing method on the synthetic benchmark, several seeds.</summary>
public sealed record MethodComparisonConfig
{
    /// <summary>The benchmark: the quickstart's (20 epochs), so the comparison's CGGM and joint rows are the quickstart's runs' settings.</summary>
    public SyntheticBenchmark Benchmark { get; init; } = new();

    /// <summary>Methods by registry name; "unimodal" expands to one run per modality. Null means <see cref="MethodComparison.AllMethods"/>.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Seeds.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2];

    /// <summary>Method hyperparameters (defaults: the benchmark's CGGM settings and every method's own defaults).</summary>
    public MethodSettings? Settings { get; init; }
}

/// <summary>The comparison's runs, table and the methods that are not defined for the benchmark's task.</summary>
/// <param name="Runs">Every finished run.</param>
/// <param name="Table">Mean ± std over seeds per method.</param>
/// <param name="Undefined">Methods skipped with the reason (e.g. classification-only methods on regression).</param>
public sealed record MethodComparisonResult(IReadOnlyList<ExperimentRun> Runs, ResultTable Table, IReadOnlyDictionary<string, string> Undefined);

/// <summary>Trains every method through the same trainer on <see cref="SyntheticBenchmark"/> and tabulates the test results.</summary>
public static class MethodComparison
{
    /// <summary>The paper's comparison rows in its order (unimodal, baseline, MRD, MSLR, G-Blending, Greedy, OGM, AGM, PMR, UMT, UME, QMF, ReconBoost, CGGM), then MMPareto, MLA and CGGM as released.</summary>
    public static IReadOnlyList<string> AllMethods { get; } =
        [MethodNames.Unimodal, MethodNames.Joint, MethodNames.Mrd, MethodNames.Mslr, MethodNames.GBlending, MethodNames.Greedy, MethodNames.OgmGe, MethodNames.Agm, MethodNames.Pmr, MethodNames.Umt, MethodNames.Ume, MethodNames.Qmf, MethodNames.ReconBoost, MethodNames.Cggm, MethodNames.MmPareto, MethodNames.Mla, MethodNames.CggmReference];

    /// <summary>Runs the comparison; runs are written under <paramref name="runRoot"/> (null keeps them in memory).</summary>
    public static MethodComparisonResult Run(MethodComparisonConfig config, string? runRoot = null, bool resume = true,
                                             IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var setup = config.Benchmark.Setup("compare");
        if (config.Settings is { } settings) setup = setup with { Methods = settings };
        using var data = (SyntheticImbalance)setup.Data;
        var modalities = data.Modalities.Select(m => m.Name).ToArray();
        var runs = ComparisonRunner.Run(setup, config.Methods ?? AllMethods, config.Seeds, runRoot, resume, progress, cancellation);
        return new MethodComparisonResult(runs.Runs, Table(setup, runs.Runs, modalities), runs.Undefined);
    }

    /// <summary>
    /// Test metrics (mean ± std over seeds) and training seconds per run, one row per method. "f(m) Acc" is the accuracy of
    /// the run's modality classifiers: the method's own unimodal heads where it has them (CGGM, G-Blending, UME, QMF,
    /// MMPareto), else the trainer's passive probes on detached features.
    /// </summary>
    public static ResultTable Table(ExperimentSetup setup, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities)
    {
        string title = $"Synthetic imbalance benchmark, {setup.Task.Kind} (test set, mean ± std over seeds)";
        // Training time from the per-epoch records, so runs reused or resumed from their folders still report their full cost.
        var seconds = (new ResultColumn("Train time (s)", 1, 1), (Func<ExperimentRun, double?>)(r => r.Result.History.Epochs.Sum(e => e.Seconds)));
        if (setup.Task.Kind == "classification")
        {
            var columns = new List<(ResultColumn, Func<ExperimentRun, double?>)>
            {
                (new ResultColumn("Acc (%)"), r => r.Result.Test.Metrics["accuracy"]),
                (new ResultColumn("Macro-F1 (%)"), r => r.Result.Test.Metrics["f1_macro"]),
            };
            for (int m = 0; m < modalities.Count; m++)
            {
                int i = m;
                columns.Add((new ResultColumn($"f({modalities[i]}) Acc (%)"), r => r.Result.Test.PerModality.Count > i ? r.Result.Test.PerModality[i]["accuracy"] : null));
            }
            columns.Add(seconds);
            return Tables.Build(title, runs, columns);
        }
        return Tables.Build(title, runs,
        [
            (new ResultColumn("MAE", 1, 4), r => r.Result.Test.Metrics["mae"]),
            (new ResultColumn("Corr", 1, 4), r => r.Result.Test.Metrics["corr"]),
            (new ResultColumn("Acc-2 (%)"), r => r.Result.Test.Metrics["acc2"]),
            (new ResultColumn("F1 (%)"), r => r.Result.Test.Metrics["f1"]),
            seconds,
        ]);
    }
}
