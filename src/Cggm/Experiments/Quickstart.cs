using Cggm.Data;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>What <c>cggm quickstart</c> runs.</summary>
public sealed record QuickstartConfig
{
    /// <summary>The benchmark.</summary>
    public SyntheticBenchmark Benchmark { get; init; } = new();

    /// <summary>Methods compared.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [MethodNames.Joint, MethodNames.Cggm, MethodNames.CggmReference];

    /// <summary>Seeds.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2];

    /// <summary>
    /// The quickstart at a profile: Quick is the default (3 seeds, 20 epochs); Smoke is 1 seed, 2 epochs on 256 training
    /// samples (for tests); the synthetic benchmark has no paper setting, so Paper is the same as Quick.
    /// </summary>
    public static QuickstartConfig For(Profile profile)
    {
        var config = new QuickstartConfig();
        if (profile != Profile.Smoke) return config;
        var b = config.Benchmark;
        return config with
        {
            Seeds = [0],
            Benchmark = b with { Data = b.Data with { TrainSize = 256, ValidSize = 128, TestSize = 128 }, Trainer = b.Trainer with { Epochs = 2 } },
        };
    }
}

/// <summary>The quickstart's runs and its results table.</summary>
public sealed record QuickstartResult(QuickstartConfig Config, IReadOnlyList<string> Modalities, IReadOnlyList<ExperimentRun> Runs, ResultTable Table);

/// <summary>
/// The quickstart experiment: joint training and CGGM (both variants) on the synthetic imbalance benchmark, several seeds,
/// reported as test accuracy of the fused prediction and of each modality classifier f_i (mean ± std), with every run's
/// history for the charts.
/// </summary>
public static class Quickstart
{
    /// <summary>Runs the quickstart; runs are written under <paramref name="runRoot"/> (null keeps them in memory).</summary>
    public static QuickstartResult Run(QuickstartConfig config, string? runRoot = null, bool resume = true,
                                       IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var setup = config.Benchmark.Setup("quickstart");
        using var data = (SyntheticImbalance)setup.Data;
        var runs = ExperimentRunner.Run(setup, config.Methods, config.Seeds, runRoot, resume, progress, cancellation);
        var modalities = data.Modalities.Select(m => m.Name).ToArray();
        return new QuickstartResult(config, modalities, runs, Tables.ClassificationWithModalities("Synthetic imbalance benchmark (test set)", runs, modalities));
    }
}
