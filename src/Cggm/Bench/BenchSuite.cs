using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.Models;
using Cggm.Models.Blocks;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Bench;

/// <summary>A model of the benchmark: the paper's model at the paper's input shapes and settings.</summary>
/// <param name="Name">Case name: the dataset's name ("mosi", …), with "-small" for a model smaller than the paper's ("brats2021-small").</param>
/// <param name="Settings">The paper settings (model, task, optimizer, clip, CGGM options).</param>
/// <param name="Inputs">Sample shapes of the modalities.</param>
/// <param name="Label">What a label is.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="EveryMethod">Measure every registered method by default, not only joint training and CGGM (the MOSI-size case).</param>
public sealed record BenchCase(string Name, PaperSettings Settings, IReadOnlyList<ModalityInfo> Inputs, LabelInfo Label, int BatchSize, bool EveryMethod = false);

/// <summary>
/// What <c>cggm bench</c> measures: training-step time and peak memory of each method on the paper's models at the paper's
/// input sizes (random data), the CGGM/joint ratios from the same run, the classifiers' extra memory, and a memory soak.
/// </summary>
public static class BenchSuite
{
    /// <summary>
    /// The cases: the MOSI-size SequenceTransformer (batch 64; text 300-d, audio 5-d, vision 20-d; 50 steps each), IEMOCAP
    /// (batch 64; [22, 1024], [350, 130], [50, 342]), Food-101 (batch 128; ViT [197, 768], BERT [50, 768]) and BraTS with a
    /// ResNet-18 backbone (batch 8 of 4 × [1, 160, 160]: the paper's batch 64 with ResNet-101 is a GPU workload).
    /// </summary>
    public static IReadOnlyList<BenchCase> Cases { get; } =
    [
        new(DatasetRegistry.Mosi.Name, new MosiSettings(), [new("text", [50, 300]), new("audio", [50, 5]), new("vision", [50, 20])], LabelInfo.Regression(), 64, EveryMethod: true),
        new(DatasetRegistry.Iemocap.Name, new IemocapSettings(), [new("text", [22, 1024]), new("audio", [350, 130]), new("vision", [50, 342])], LabelInfo.Classification(4), 64),
        new(DatasetRegistry.Food101.Name, new Food101Settings(), [new("image", [197, 768]), new("text", [50, 768])], LabelInfo.Classification(101), 128),
        new(DatasetRegistry.Brats2021.Name + "-small", new BratsSettings { Model = new BratsDeepLabOptions { Depth = ResNetDepth.ResNet18 } },
            [new("flair", [1, 160, 160]), new("t1ce", [1, 160, 160]), new("t1", [1, 160, 160]), new("t2", [1, 160, 160])], LabelInfo.Segmentation(4, 160, 160), 8),
    ];

    /// <summary>The case called <paramref name="name"/>.</summary>
    public static BenchCase Case(string name) => Cases.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"Unknown benchmark model '{name}'. Known: {string.Join(", ", Cases.Select(c => c.Name))}.", nameof(name));

    /// <summary>
    /// <paramref name="bench"/> with classifiers f_i of <paramref name="layers"/> transformer layers: the released configuration
    /// has 2 (<c>cls_layers</c>), the paper allows 1–2 (Eq. 5). Transformer models only (BraTS's f_i are ResNet blocks).
    /// </summary>
    public static BenchCase WithClassifierLayers(BenchCase bench, int layers)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "A classifier needs at least one transformer layer.");
        var settings = bench.Settings.WithTransformerModel(m => m with { ClassifierLayers = layers })
            ?? throw new ArgumentException($"The classifier's layer count applies to the transformer models (mosi, iemocap, food101); {bench.Name}'s classifiers are ResNet blocks.", nameof(bench));
        return bench with { Settings = settings };
    }

    /// <summary>Measures <paramref name="method"/> on <paramref name="bench"/>.</summary>
    public static StepMeasurement Measure(BenchCase bench, string method, int warmup, int steps) =>
        StepBenchmark.Measure(bench.Name, bench.Inputs, bench.Label, bench.Settings.CreateModel, bench.Settings.CreateTask(), method,
            bench.Settings.Methods(), bench.Settings.Trainer() with { BatchSize = bench.BatchSize, Device = "cpu" }, warmup, steps);

    /// <summary>The method names a case is measured with: every registered method defined for its task, or the given ones.</summary>
    public static IReadOnlyList<string> MethodsFor(BenchCase bench, IReadOnlyList<string>? only = null) =>
        only ?? MethodRegistry.Methods.Select(m => m.Name).Where(n => n != MethodNames.Unimodal).ToArray();

    /// <summary>Parameters of the model and of its M modality classifiers.</summary>
    public static (long Model, long Classifiers) ParameterCounts(BenchCase bench)
    {
        using var data = new RandomTensorDataset(bench.Name, bench.Inputs, bench.Label, 1, 1, 1);
        using var model = bench.Settings.CreateModel(data);
        long classifiers = 0;
        for (int i = 0; i < model.ModalityCount; i++)
        {
            using var c = model.CreateModalityClassifier(i);
            classifiers += c.parameters().Sum(p => p.numel());
        }
        return (model.parameters().Sum(p => p.numel()), classifiers);
    }

    /// <summary>
    /// Resident memory every <paramref name="every"/> steps over <paramref name="steps"/> training steps of
    /// <paramref name="method"/> on <paramref name="bench"/> (one long epoch): flat memory means nothing leaks per step.
    /// </summary>
    public static IReadOnlyList<(int Step, double ResidentMb)> Soak(BenchCase bench, string method, int steps = 2000, int every = 100)
    {
        var samples = new List<(int, double)>();
        int batch = Math.Min(bench.BatchSize, 16);
        using var data = new RandomTensorDataset(bench.Name, bench.Inputs, bench.Label, batch * 50, batch, batch);
        Seeding.Everything(0);
        using var model = bench.Settings.CreateModel(data);
        using var m = MethodRegistry.Create(method, bench.Settings.Methods());
        int epochs = (steps + 49) / 50, done = 0;
        using var trainer = new Trainer(model, bench.Settings.CreateTask(), m,
            bench.Settings.Trainer() with { BatchSize = batch, Epochs = epochs, ModalityProbes = false, Device = "cpu", ShuffleTrain = false });
        trainer.Fit(data, new SoakProgress(p =>
        {
            if (p.Stage != ProgressStage.Step) return;
            done++;
            if (done % every == 0 && done <= steps) samples.Add((done, ProcessMemory.Resident / 1048576.0));
        }));
        return samples;
    }

    private sealed class SoakProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
