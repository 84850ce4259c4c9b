using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;
using Cggm.IO;

namespace Cggm.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-trainer-" + Guid.NewGuid().ToString("N")[..8]);

    private static TrainerOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 16, ClipNorm = 0.8, Device = "cpu", Seed = 5,
        Optimizer = new OptimizerSpec(OptimizerKind.Adam, 5e-3),
    };

    private static TrainingResult Fit(SyntheticImbalance data, string method, TrainerOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        Seeding.Everything(options.Seed);
        using var model = new MlpFusionNet(data.Modalities, 3, hidden: 8);
        using var m = MethodRegistry.Create(method, new MethodSettings { Cggm = new CggmOptions { Lambda = 0.2, Rho = 1.3 } });
        using var trainer = new Trainer(model, new ClassificationTask(3), m, options);
        return trainer.Fit(data, progress, ct);
    }

    [Theory]
    [InlineData("cggm-reference")]
    [InlineData("cggm")]
    [InlineData("joint")]
    public void An_interrupted_run_resumes_to_the_same_result(string method)
    {
        using var data = TestData.Synthetic();
        var whole = Fit(data, method, Options() with { RunDirectory = Path.Combine(_dir, "whole") });

        var runDir = Path.Combine(_dir, "interrupted");
        using var stop = new CancellationTokenSource();
        var stopAfterTwoEpochs = new Inline<TrainingProgress>(p => { if (p.Stage == ProgressStage.Epoch && p.Epoch == 1) stop.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(data, method, Options() with { RunDirectory = runDir }, stopAfterTwoEpochs, stop.Token));
        Assert.True(File.Exists(Path.Combine(runDir, "last.ckpt")));

        var resumed = Fit(data, method, Options() with { RunDirectory = runDir, Resume = true });
        Assert.Equal(whole.History.Steps.Select(s => s.Loss), resumed.History.Steps.Select(s => s.Loss));
        Assert.Equal(whole.BestEpoch, resumed.BestEpoch);
        Assert.Equal(whole.Test.Metrics["accuracy"], resumed.Test.Metrics["accuracy"]);
        Assert.Equal(whole.Test.PerModality.Select(p => p["accuracy"]), resumed.Test.PerModality.Select(p => p["accuracy"]));
    }

    [Fact]
    public void The_run_folder_holds_config_history_metrics_and_checkpoints()
    {
        using var data = TestData.Synthetic();
        var r = Fit(data, "cggm", Options(2) with { RunDirectory = _dir });
        foreach (var f in new[] { "config.json", "history.csv", "epochs.csv", "metrics.json", "best.ckpt", "last.ckpt" })
            Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        var header = File.ReadLines(Path.Combine(_dir, "history.csv")).First();
        foreach (var col in new[] { "grad_norm_m0", "grad_norm_modulated_m1", "epsilon_m0", "delta_epsilon_m1", "B_m0", "cos_m1", "L_gm" })
            Assert.Contains(col, header.Split(','));
        Assert.Equal(2 * BatchOrder.Count(96, 16), r.History.Steps.Count);
        Assert.Contains("\"rho\": 1.3", File.ReadAllText(Path.Combine(_dir, "config.json")));
    }

    [Fact]
    public void The_best_epoch_is_chosen_on_validation()
    {
        using var data = TestData.Synthetic();
        var r = Fit(data, "joint", Options(4));
        var accuracies = r.History.Epochs.Select(e => e.Valid["accuracy"]).ToList();
        Assert.Equal(accuracies.IndexOf(accuracies.Max()), r.BestEpoch);
        Assert.Equal(accuracies.Max(), r.Valid.Metrics["accuracy"]);
        Assert.Equal(2, r.Test.PerModality.Count);   // passive probes give joint training per-modality metrics
    }

    [Fact]
    public void Resuming_with_different_settings_is_refused()
    {
        using var data = TestData.Synthetic();
        Fit(data, "joint", Options(1) with { RunDirectory = _dir });
        var e = Assert.Throws<InvalidOperationException>(() => Fit(data, "joint", Options(2) with { RunDirectory = _dir, Resume = true }));
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void A_corrupt_checkpoint_is_reported_with_its_path()
    {
        using var data = TestData.Synthetic();
        Fit(data, "cggm", Options(1) with { RunDirectory = _dir });
        var last = Path.Combine(_dir, "last.ckpt");
        var bytes = File.ReadAllBytes(last);
        File.WriteAllBytes(last, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Fit(data, "cggm", Options(1) with { RunDirectory = _dir, Resume = true }));
        Assert.Contains(last, e.Message);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_with_its_step()
    {
        var x = torch.randn([32, 4]);
        x[5, 1] = torch.tensor(double.NaN);
        var good = torch.randn([32, 3]);
        var y = torch.randint(0, 3, [32]);
        var data = new TensorDataset(new InMemorySplit([x, good], y), [new("a", [4]), new("b", [3])]);
        var model = new MlpFusionNet(data.Modalities, 3, hidden: 4);
        using var trainer = new Trainer(model, new ClassificationTask(3), new JointTraining(), Options(1) with { ShuffleTrain = false });
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(data));
        Assert.Equal(0, e.Epoch);
        Assert.Equal(0, e.Step);
        Assert.Contains("epoch 0, step 0", e.Message);
    }

    [Fact]
    public void Mismatched_data_is_rejected_before_training()
    {
        var split = new InMemorySplit([torch.randn([8, 4]), torch.randn([8, 3])], torch.randint(0, 3, [8]));
        var data = new TensorDataset(split, [new("a", [4]), new("b", [3])]);
        var threeModalities = new MlpFusionNet([new("a", [4]), new("b", [3]), new("c", [2])], 3, hidden: 4);
        Assert.Contains("2 modalities", Assert.Throws<ArgumentException>(() => new Trainer(threeModalities, new ClassificationTask(3), new JointTraining(), Options(1)).Fit(data)).Message);

        var wrongDim = new MlpFusionNet([new("a", [5]), new("b", [3])], 3, hidden: 4);
        Assert.Contains("expects batches shaped [B, 5]", Assert.Throws<ArgumentException>(() => new Trainer(wrongDim, new ClassificationTask(3), new JointTraining(), Options(1)).Fit(data)).Message);

        var empty = new TensorDataset(split, [new("a", [4]), new("b", [3])], emptyValid: true);
        var model = new MlpFusionNet(empty.Modalities, 3, hidden: 4);
        Assert.Contains("valid split", Assert.Throws<ArgumentException>(() => new Trainer(model, new ClassificationTask(3), new JointTraining(), Options(1)).Fit(empty)).Message);
    }

    [Fact]
    public void Atomic_writes_leave_the_previous_file_when_a_write_fails()
    {
        var path = Path.Combine(_dir, "file.bin");
        AtomicFile.WriteAllText(path, "complete");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => { s.Write([1, 2, 3]); throw new IOException("killed"); }));
        Assert.Equal("complete", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>The same split for train/valid/test (or an empty valid split).</summary>
    private sealed class TensorDataset(InMemorySplit split, ModalityInfo[] modalities, bool emptyValid = false) : IMultimodalDataset
    {
        private readonly InMemorySplit _empty = new([torch.zeros([0, 4]), torch.zeros([0, 3])], torch.zeros([0], ScalarType.Int64));
        public string Name => "tensors";
        public IReadOnlyList<ModalityInfo> Modalities => modalities;
        public LabelInfo Label => LabelInfo.Classification(3);
        public IDataSplit this[Split s] => emptyValid && s == Split.Valid ? _empty : split;
    }
}
