using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using TorchSharp;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>What the audio-visual digits experiment runs (<c>cggm reproduce av-digits</c>, notebook 11).</summary>
public sealed record AvDigitsConfig
{
    /// <summary>Model, optimisation and CGGM settings.</summary>
    public AvDigitsSettings Settings { get; init; } = new();

    /// <summary>Pairing, splits and audio features.</summary>
    public AvDigitsOptions Data { get; init; } = new();

    /// <summary>Methods by registry name ("unimodal" runs once per modality), in table order.</summary>
    public IReadOnlyList<string> Methods { get; init; } = MethodComparison.AllMethods;

    /// <summary>Seeds of the runs (weights and batch order; the pairing stays fixed by <see cref="AvDigitsOptions.Seed"/>).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2, 3, 4];

    /// <summary>
    /// Torch CPU threads while the experiment runs (restored afterwards); null leaves libtorch's default. One thread: on the
    /// shared 2-core build machine a training step of this model took 32 ms of CPU on one thread and 660 ms on two.
    /// </summary>
    public int? Threads { get; init; } = 1;

    /// <summary>
    /// The experiment at a profile:
    /// <list type="bullet">
    /// <item>Paper: every method, 5 seeds, <see cref="AvDigitsSettings.Epochs"/> (20) epochs on all 3,000 pairs.</item>
    /// <item>Quick (the default): every method, 5 seeds, 8 epochs on all 3,000 pairs (its measured time: notebooks/README.md).</item>
    /// <item>Smoke: unimodal, joint, OGM-GE and both CGGM variants, 1 seed, 1 epoch on 24 training and 10 test clips per digit (for CI and notebook tests).</item>
    /// </list>
    /// </summary>
    public static AvDigitsConfig For(Profile profile)
    {
        var config = new AvDigitsConfig();
        return profile switch
        {
            Profile.Paper => config,
            Profile.Quick => config with { Settings = config.Settings with { Epochs = QuickEpochs } },
            _ => config with
            {
                Settings = config.Settings with { Epochs = 1 },
                Data = config.Data with { TrainClipsPerDigit = 24, TestClipsPerDigit = 10 },
                Methods = [MethodNames.Unimodal, MethodNames.Joint, MethodNames.OgmGe, MethodNames.Cggm, MethodNames.CggmReference],
                Seeds = [0],
            },
        };
    }

    /// <summary>Epochs of the Quick profile.</summary>
    public const int QuickEpochs = 8;
}

/// <summary>The experiment's runs, table and data.</summary>
/// <param name="Config">What ran.</param>
/// <param name="IsSample">True when it ran on sample data (no real data under the data root; Smoke only): numbers mean nothing.</param>
/// <param name="Root">The dataset folder read.</param>
/// <param name="Counts">Samples per split.</param>
/// <param name="Modalities">Modality names, in model order.</param>
/// <param name="Runs">Every finished run; unimodal runs are labelled <c>unimodal-&lt;modality&gt;</c>.</param>
/// <param name="Table">Test results, mean ± std over seeds, one row per method.</param>
/// <param name="Undefined">Methods skipped because they are not defined for the task, with the reason (none for this classification task).</param>
public sealed record AvDigitsResult(AvDigitsConfig Config, bool IsSample, string Root, IReadOnlyDictionary<Split, int> Counts, IReadOnlyList<string> Modalities,
                                    IReadOnlyList<ExperimentRun> Runs, ResultTable Table, IReadOnlyDictionary<string, string> Undefined);

/// <summary>
/// Modality imbalance on real, free data in minutes on a CPU: every balancing method (unimodal, joint, CGGM in both variants
/// and every baseline) trained on <see cref="AvDigits"/> (FSDD spoken digits paired with MNIST images) through the same
/// trainer, several seeds, with each run's per-modality history for the charts.
/// </summary>
public static class AvDigitsExperiment
{
    /// <summary>
    /// Opens the data: <c>&lt;data root&gt;/av-digits</c> (data root: <paramref name="dataRoot"/>, else <c>CGGM_DATA</c>, else the
    /// clone's <c>data/</c>); without it, the Smoke profile uses sample data in the same layout and the others stop with an error
    /// naming <c>data-scripts/av-digits/get-data.sh</c>.
    /// </summary>
    public static (AvDigits Data, bool IsSample, string Root) Open(Profile profile, AvDigitsOptions options, string? dataRoot = null)
    {
        var (root, isSample) = PaperExperiment.Locate(DatasetRegistry.AvDigits, profile, dataRoot);
        return (AvDigits.Open(root, options), isSample, root);
    }

    /// <summary>Runs the experiment; runs are written under <paramref name="runRoot"/> (null keeps them in memory) and resumed.</summary>
    public static AvDigitsResult Run(AvDigitsConfig config, Profile profile, string? dataRoot = null, string? runRoot = null, bool resume = true,
                                     IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var (data, isSample, root) = Open(profile, config.Data, dataRoot);
        using var _ = data;
        int threads = torch.get_num_threads();
        if (config.Threads is { } t) torch.set_num_threads(t);
        try
        {
            var setup = config.Settings.Setup(data, AvDigits.DatasetName);
            var (runs, undefined) = ComparisonRunner.Run(setup, config.Methods, config.Seeds, runRoot, resume, progress, cancellation);
            var modalities = data.Modalities.Select(m => m.Name).ToArray();
            var labelled = runs.Select(r => r.Method.StartsWith("unimodal-", StringComparison.Ordinal) && int.TryParse(r.Method["unimodal-".Length..], out int m) && m < modalities.Length
                ? r with { Method = $"unimodal-{modalities[m]}" } : r).ToArray();
            var counts = Enum.GetValues<Split>().ToDictionary(s => s, s => data[s].Count);
            return new AvDigitsResult(config, isSample, root, counts, modalities, labelled, Table(labelled, modalities, isSample), undefined);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>Test accuracy and macro-F1 of the fused prediction, each modality classifier's test accuracy (%), and training seconds, mean ± std over seeds.</summary>
    public static ResultTable Table(IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities, bool isSample = false)
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
        columns.Add((new ResultColumn("Train time (s)", 1, 1), r => r.Result.History.Epochs.Sum(e => e.Seconds)));
        var title = isSample ? "Audio-visual digits on SAMPLE data (test set; the numbers mean nothing)" : "Audio-visual digits, FSDD + MNIST (test set, mean ± std over seeds)";
        return Tables.Build(title, runs, columns);
    }
}
