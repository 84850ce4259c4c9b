using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

/// <summary>
/// Balancing-method tests run alone: they seed torch's global generator and compare runs bit for bit. They run with one
/// torch thread (the models are tiny; on a shared 2-core machine two threads were 6× slower), restored afterwards.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModulationCollection : ICollectionFixture<SingleTorchThread>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Modulation (torch, sequential)";
}

/// <summary>Sets torch to one CPU thread for the collection and restores the previous count.</summary>
public sealed class SingleTorchThread : IDisposable
{
    private readonly int _previous = get_num_threads();

    /// <summary>One thread from now on.</summary>
    public SingleTorchThread() => set_num_threads(1);

    /// <inheritdoc />
    public void Dispose() => set_num_threads(_previous);
}

/// <summary>Tiny data, model and trainer runs for the balancing-method tests.</summary>
internal static class MethodTestKit
{
    /// <summary>Settings that keep the expensive methods small (G-Blending super-epochs of 1, UMT teachers of 1 epoch, short ReconBoost phases).</summary>
    public static MethodSettings FastSettings { get; } = new MethodSettings
    {
        GBlending = new GradientBlendingOptions { WarmupSuperEpoch = 1, SuperEpoch = 1 },
        Umt = new UniModalTeacherOptions { TeacherEpochs = 1 },
        ReconBoost = new ReconBoostOptions { EpochsPerStage = 1, CorrectionEpochs = 1 },
        Pmr = new PmrOptions { RegularizationEpochs = 1 },
        Greedy = new GreedyOptions { StartEpoch = 0 },
    };

    /// <summary>A small synthetic dataset: 96 training, 48 validation, 48 test samples.</summary>
    public static SyntheticImbalance Data(SyntheticTarget target = SyntheticTarget.Classification, int modalities = 2)
    {
        var specs = Enumerable.Range(0, modalities)
            .Select(i => new SyntheticModality($"m{i}", Dim: 6, Signal: i == 0 ? 1.5 : 0.8, Nonlinearity: i == 0 ? 0 : 1)).ToArray();
        return new SyntheticImbalance(new SyntheticImbalanceOptions
        {
            Modalities = specs, Target = target, Classes = 3, LatentDim = 4, TrainSize = 96, ValidSize = 48, TestSize = 48, Seed = 5,
        });
    }

    /// <summary>The task of <paramref name="data"/>.</summary>
    public static LearningTask Task(SyntheticImbalance data) =>
        data.Options.Target == SyntheticTarget.Classification ? new ClassificationTask(data.Options.Classes) : new RegressionTask();

    /// <summary>A seeded <see cref="MlpFusionNet"/> for <paramref name="data"/>.</summary>
    public static MlpFusionNet Model(SyntheticImbalance data, int seed = 0)
    {
        Seeding.Everything(seed);
        return new MlpFusionNet(data.Modalities, data.Options.Target == SyntheticTarget.Classification ? data.Options.Classes : 1, hidden: 8);
    }

    /// <summary>Trainer options for tiny runs.</summary>
    public static TrainerOptions Options(int epochs, string? runDirectory = null, bool resume = false) => new()
    {
        Epochs = epochs, BatchSize = 32, Optimizer = new OptimizerSpec(OptimizerKind.Adam, 3e-3), ClipNorm = 0.8,
        RunDirectory = runDirectory, Resume = resume, Device = "cpu",
    };

    /// <summary>Trains <paramref name="method"/> (by registry name) for <paramref name="epochs"/> epochs.</summary>
    public static TrainingResult Fit(string method, SyntheticImbalance data, int epochs, MethodSettings? settings = null, string? runDirectory = null,
                                     bool resume = false, int seed = 0, int? stopAfterEpochs = null)
    {
        using var model = Model(data, seed);
        using var m = MethodRegistry.Create(method, settings ?? FastSettings);
        using var trainer = new Trainer(model, Task(data), m, Options(epochs, runDirectory, resume) with { Seed = seed });
        using var stop = new CancellationTokenSource();
        var progress = new Reporter(p => { if (p.Stage == ProgressStage.Epoch && p.Epoch + 1 == stopAfterEpochs) stop.Cancel(); });
        return trainer.Fit(data, progress, stop.Token);
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>A context on <paramref name="model"/> for calling a method's hooks directly.</summary>
    public static TrainingContext Context(MultimodalModel model, LearningTask task, SyntheticImbalance data)
    {
        var options = Options(1);
        var optimizer = options.Optimizer.Create(model.parameters());
        return new TrainingContext(model, task, optimizer, CPU, options, (_, _) => { }, () => optimizer.step(), data[Split.Train], data[Split.Valid]);
    }

    /// <summary>A 1-D float64 tensor's values.</summary>
    public static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();

    /// <summary>A fresh temporary folder.</summary>
    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cggm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
