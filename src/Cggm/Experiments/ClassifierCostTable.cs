using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>One dataset's row of Table 8.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="IsSample">True when measured on sample data.</param>
/// <param name="PaperFootprint">The classifiers' parameters, gradients and optimizer state at the paper's model size.</param>
/// <param name="Measured">Time and memory measured at the profile's model size and batch.</param>
/// <param name="MeasuredModel">What was measured ("SequenceTransformer, batch 32", …).</param>
public sealed record ClassifierCostRow(DatasetDescriptor Dataset, bool IsSample, ClassifierFootprint PaperFootprint, ClassifierCostReport Measured, string MeasuredModel);

/// <summary>
/// The paper's Table 8 (extra GPU memory of the classifiers, per dataset), as far as a CPU can say it:
/// <list type="bullet">
/// <item>by construction, at the paper's model sizes (built on the meta device, so even BraTS' ResNet-101 costs nothing): the
/// classifiers' parameters, gradients and optimizer state in MB (<see cref="ClassifierFootprint"/>);</item>
/// <item>measured, at the profile's model size and batch on this machine's device: the extra time per step and the extra peak
/// resident memory of the process with the classifiers, and of the whole CGGM step (<see cref="ClassifierCost"/>).</item>
/// </list>
/// The paper's values are GPU memory (activations included) and are not public as text: that column stays blank.
/// </summary>
public static class ClassifierCostTable
{
    /// <summary>Timed steps (after warm-up) at a profile.</summary>
    public static (int Steps, int Warmup) Steps(Profile profile) => profile switch { Profile.Smoke => (2, 1), Profile.Quick => (5, 2), _ => (20, 5) };

    /// <summary>Measures every dataset of <paramref name="datasets"/> (default: the paper's four).</summary>
    public static IReadOnlyList<ClassifierCostRow> Run(Profile profile, string? dataRoot = null, IReadOnlyList<DatasetDescriptor>? datasets = null,
                                                       Action<string>? log = null, CancellationToken cancellation = default)
    {
        datasets ??= ClassifierGradients.Datasets;
        var rows = new List<ClassifierCostRow>();
        foreach (var d in datasets)
        {
            cancellation.ThrowIfCancellationRequested();
            log?.Invoke($"Table 8: {d.DisplayName}");
            rows.Add(Measure(d, profile, dataRoot));
        }
        return rows;
    }

    /// <summary>One dataset's row.</summary>
    public static ClassifierCostRow Measure(DatasetDescriptor dataset, Profile profile, string? dataRoot = null)
    {
        var paper = PaperExperiment.Settings(dataset, Profile.Paper);
        var settings = PaperExperiment.Settings(dataset, profile);
        using var data = PaperExperiment.OpenData(dataset, profile, dataRoot);
        var footprint = ClassifierFootprint.OfMeta(() => paper.CreateModel(data.Data), paper.Cggm.ClassifierOptimizer);
        var device = settings.Device is null ? Devices.Default : Devices.Decide(settings.Device);
        var train = data.Data[Split.Train];
        var batch = train.Load(Enumerable.Range(0, Math.Min(settings.BatchSize, train.Count)).ToArray(), device);
        var (steps, warmup) = Steps(profile);
        var report = ClassifierCost.Measure(() => settings.CreateModel(data.Data), settings.CreateTask(), batch, settings.Trainer(),
            settings.Cggm with { Variant = CggmVariant.Paper }, steps, warmup);
        var description = settings switch
        {
            Settings.BratsSettings b => $"BratsDeepLab {b.Model.Depth}, widths {b.Model.BaseWidth}/{b.Model.AsppChannels}/{b.Model.LowLevelReduction}/{b.Model.DecoderChannels}, batch {batch.Size}",
            _ => $"SequenceTransformer, batch {batch.Size}",
        };
        return new ClassifierCostRow(dataset, data.IsSample, footprint, report, description);
    }
}
