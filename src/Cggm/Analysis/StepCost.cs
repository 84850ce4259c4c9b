using System.Diagnostics;
using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Analysis;

/// <summary>The measured cost of a method's training step on one batch.</summary>
/// <param name="Label">What was measured.</param>
/// <param name="MedianSeconds">Median wall-clock seconds per step (after the warm-up steps).</param>
/// <param name="MeanSeconds">Mean seconds per step.</param>
/// <param name="Steps">Steps timed.</param>
/// <param name="PeakResidentBytes">Peak resident memory of the process during the warm-up and timed steps (null where the
/// operating system does not report it; see <see cref="ProcessMemory"/>).</param>
public sealed record StepCostMeasurement(string Label, double MedianSeconds, double MeanSeconds, int Steps, long? PeakResidentBytes);

/// <summary>
/// Times a balancing method's training step the way <see cref="Trainer"/> runs it — zero_grad, the method's forward, 𝓛_task,
/// the method's loss, backward, the method's gradient hook, clipping, the optimizer step, the method's after-step hook — on
/// one fixed batch, with a fresh optimizer, no history and no passive probes, and records the peak resident memory of the
/// process over the steps.
/// </summary>
public static class StepCost
{
    /// <summary>
    /// Runs <paramref name="warmup"/> + <paramref name="steps"/> steps of <paramref name="method"/> on <paramref name="model"/>
    /// (already on <paramref name="device"/>) with <paramref name="options"/>' optimizer and clip; times the last
    /// <paramref name="steps"/>. The method is attached here and left attached.
    /// </summary>
    public static StepCostMeasurement Measure(string label, MultimodalModel model, LearningTask task, BalancingMethod method, Batch batch,
                                          TrainerOptions options, Device device, int steps = 10, int warmup = 2)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Time at least one step.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "Cannot be negative.");
        var parameters = model.parameters().ToArray();
        using var optimizer = options.Optimizer.Create(parameters);
        void ClipAndStep()
        {
            if (options.ClipNorm is { } clip) nn.utils.clip_grad_norm_(parameters, clip);
            optimizer.step();
        }
        using var split = new InMemorySplit(batch.Modalities.Select(m => m.cpu().clone()).ToArray(), batch.Target.cpu().clone());   // the split owns its tensors
        var context = new TrainingContext(model, task, optimizer, device, options, (_, _) => { }, ClipAndStep, split, split);
        method.Attach(context);
        model.train();
        ProcessMemory.ResetPeak();
        var times = new List<double>();
        for (int k = 0; k < warmup + steps; k++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var s = new StepState(0, k, k, batch);
                if (method.OwnsStep) method.TrainStep(s);
                else
                {
                    optimizer.zero_grad();
                    s.Output = method.Forward(s);
                    s.TaskLoss = task.Loss(s.Output.Prediction, batch.Target);
                    s.Loss = method.ComposeLoss(s);
                    s.Loss.backward();
                    method.AfterBackward(s);
                    ClipAndStep();
                    method.AfterOptimizerStep(s);
                }
                _ = s.Loss?.item<float>();   // wait for the step's work (asynchronous on a GPU)
            }
            if (k >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        double median = Statistics.Median(times);
        return new StepCostMeasurement(label, median, times.Average(), steps, ProcessMemory.Available ? ProcessMemory.Peak : null);
    }
}
