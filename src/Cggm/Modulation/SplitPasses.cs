using Cggm.Data;
using Cggm.Training;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Passes over a data split for methods that look at data outside the trainer's steps (prototypes, held-out losses, sub-training).</summary>
internal static class SplitPasses
{
    /// <summary>
    /// Calls <paramref name="body"/> for each batch of <paramref name="split"/> (or of the first <paramref name="limit"/> samples
    /// of its order), each inside its own dispose scope. Shuffled orders come from <see cref="BatchOrder"/> with (seed, epoch).
    /// </summary>
    public static void ForEachBatch(IDataSplit split, int batchSize, Device device, bool shuffle, int seed, int epoch, Action<Batch> body, int? limit = null)
    {
        int count = split.Count;
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) order = BatchOrder.Batches(count, count, shuffle: true, seed, epoch).First();
        int n = Math.Min(count, limit ?? count);
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = order[start..Math.Min(n, start + batchSize)];
            body(split.Load(indices, device));
        }
    }

    /// <summary>The sample-weighted mean of <paramref name="loss"/> over a split, without gradient.</summary>
    public static double MeanLoss(IDataSplit split, int batchSize, Device device, Func<Batch, Tensor> loss, int? limit = null)
    {
        double sum = 0;
        int seen = 0;
        using var _ = no_grad();
        ForEachBatch(split, batchSize, device, shuffle: false, 0, 0, b =>
        {
            sum += loss(b).item<float>() * b.Size;
            seen += b.Size;
        }, limit);
        return seen == 0 ? double.NaN : sum / seen;
    }

    /// <summary>Sets the learning rate of <paramref name="optimizer"/> to the main optimizer's current rate (so method-owned optimizers follow the schedule).</summary>
    public static void FollowLearningRate(optim.Optimizer optimizer, optim.Optimizer main)
    {
        double rate = main.ParamGroups.First().LearningRate;
        foreach (var g in optimizer.ParamGroups) g.LearningRate = rate;
    }

    /// <summary>Steps per epoch of the run's training split.</summary>
    public static int StepsPerEpoch(TrainingContext context) =>
        BatchOrder.Count(context.Train.Count, context.Options.BatchSize, context.Options.DropLast);
}
