using Cggm.Data;
using Cggm.Experiments;
using Cggm.Training;

namespace Cggm.Tests.Experiments;

/// <summary>Finished runs made by hand (for table logic) and a tiny synthetic experiment (for recipes that train).</summary>
internal static class ExperimentTestKit
{
    public static readonly string[] Sequence = ["text", "audio", "vision"];

    /// <summary>A finished run with the given test metrics and per-modality classifier metrics.</summary>
    public static ExperimentRun Run(string method, int seed, IReadOnlyDictionary<string, double> test, params IReadOnlyDictionary<string, double>[] perModality) =>
        new(method, seed, new TrainingResult
        {
            Method = method, Seed = seed, History = new TrainingHistory(Sequence), BestEpoch = 0, Seconds = 1,
            Valid = new EvaluationResult(0, test, perModality), Test = new EvaluationResult(0, test, perModality),
        });

    /// <summary>Per-modality accuracies as metric dictionaries.</summary>
    public static IReadOnlyDictionary<string, double>[] Accuracies(params double[] values) =>
        values.Select(v => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["accuracy"] = v }).ToArray();

    /// <summary>A two-modality synthetic experiment of 64/32/32 samples, 1 epoch, batches of 32.</summary>
    public static ExperimentSetup Tiny(SyntheticTarget target = SyntheticTarget.Classification)
    {
        var benchmark = new SyntheticBenchmark();
        benchmark = benchmark with
        {
            Data = benchmark.Data with { Target = target, TrainSize = 64, ValidSize = 32, TestSize = 32, Classes = 3 },
            Hidden = 8,
            Trainer = benchmark.Trainer with { Epochs = 1, BatchSize = 32, ShuffleTrain = false },
        };
        return benchmark.Setup("tiny");
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cggm-exp-" + Guid.NewGuid().ToString("N")[..8]);

        public TempFolder() => Directory.CreateDirectory(Path);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
