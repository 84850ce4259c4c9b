using System.Diagnostics;
using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

using Cggm.Analysis;

namespace Cggm.Bench;

/// <summary>One benchmarked (model, method) pair.</summary>
/// <param name="Model">Model case name.</param>
/// <param name="Method">Method name.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Steps">Measured steps (after warm-up).</param>
/// <param name="MedianMs">Median wall-clock time of a training step, in milliseconds.</param>
/// <param name="P10Ms">10th percentile.</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="PeakMemoryMb">Peak resident memory of the process during the run (MiB), the peak reset before it.</param>
/// <param name="BaselineMemoryMb">Resident memory before the model was built (MiB).</param>
/// <param name="ModelParameters">Parameters of the model.</param>
public sealed record StepMeasurement(string Model, string Method, int BatchSize, int Steps, double MedianMs, double P10Ms, double P90Ms,
                                     double PeakMemoryMb, double BaselineMemoryMb, long ModelParameters);

/// <summary>
/// Measures training steps as training runs them: the real <see cref="Trainer"/> on random data in the model's input
/// shapes, timing every step (data loading included, validation excluded) and reporting the median after a warm-up.
/// Passive probes are off, so "joint" is plain joint training.
/// </summary>
public static class StepBenchmark
{
    /// <summary>Benchmarks <paramref name="method"/> on a model built by <paramref name="createModel"/>.</summary>
    public static StepMeasurement Measure(string modelName, IReadOnlyList<ModalityInfo> inputs, LabelInfo label, Func<IMultimodalDataset, MultimodalModel> createModel,
        LearningTask task, string method, MethodSettings settings, TrainerOptions options, int warmup = 3, int steps = 20, int seed = 0)
    {
        if (steps < 1 || warmup < 0) throw new ArgumentOutOfRangeException(nameof(steps), "Need at least one measured step and a non-negative warm-up.");
        int batch = options.BatchSize;
        using var data = new RandomTensorDataset(modelName, inputs, label, (warmup + steps) * batch, batch, batch, seed);
        GC.Collect();
        GC.WaitForPendingFinalizers();   // tensors of the previous case are freed by their finalizers
        NativeAllocator.ReleaseFreedMemory();   // else the peak below would include what earlier cases freed and the allocator kept
        ProcessMemory.ResetPeak();
        double before = ProcessMemory.Resident / 1048576.0;
        Seeding.Everything(seed);
        using var model = createModel(data);
        using var m = MethodRegistry.Create(method, settings);
        using var trainer = new Trainer(model, task, m, options with { Epochs = 1, ShuffleTrain = false, ModalityProbes = false, RunDirectory = null, Seed = seed });
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        double last = 0;
        trainer.Fit(data, new Timer(p =>
        {
            if (p.Stage != ProgressStage.Step) return;
            double now = clock.Elapsed.TotalMilliseconds;
            if (p.Step > warmup) times.Add(now - last);
            last = now;
        }));
        double peak = ProcessMemory.Peak / 1048576.0;
        times.Sort();
        double At(double q) => times[Math.Min(times.Count - 1, (int)(q * times.Count))];
        return new StepMeasurement(modelName, m.Name, batch, times.Count, At(0.5), At(0.1), At(0.9), peak, before, model.parameters().Sum(p => p.numel()));
    }

    private sealed class Timer(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
