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
        var e = Assert.Throws<RunFolderException>(() => Fit(data, "joint", Options(2) with { RunDirectory = _dir, Resume = true }));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("trainer.epochs: 1 → 2", e.Message);   // names the setting that differs
    }

    [Fact]
    public async Task A_second_run_into_a_folder_in_use_is_refused_and_the_lock_is_released_after()
    {
        using var data = TestData.Synthetic();
        using var inFirstEpoch = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holdInFirstStep = new Inline<TrainingProgress>(p => { if (p.Stage == ProgressStage.Step && p.Epoch == 0 && p.Step == 1) { inFirstEpoch.Set(); release.Wait(); } });
        var first = Task.Run(() => Fit(data, "joint", Options(1) with { RunDirectory = _dir }, holdInFirstStep));
        Assert.True(inFirstEpoch.Wait(TimeSpan.FromMinutes(2)));
        var e = Assert.Throws<RunFolderException>(() => Fit(data, "joint", Options(1) with { RunDirectory = _dir, Resume = true }));
        Assert.Contains("in use", e.Message);
        Assert.Contains($"process {Environment.ProcessId}", e.Message);   // who holds it
        release.Set();
        await first;
        Fit(data, "joint", Options(1) with { RunDirectory = _dir, Resume = true });   // released at the end of the first run
    }

    [Fact]
    public void The_last_checkpoint_holds_no_copy_of_the_best_weights()
    {
        using var data = TestData.Synthetic();
        Fit(data, "joint", Options(2) with { RunDirectory = _dir });
        var best = File.ReadAllBytes(Path.Combine(_dir, "best.ckpt"));
        var last = File.ReadAllBytes(Path.Combine(_dir, "last.ckpt"));
        // Format 1 appended the best weights to last.ckpt (0.96 of a BraTS run's 2.9 GB); format 2 keeps them in best.ckpt only.
        Assert.Equal(-1, last.AsSpan().IndexOf(best));
        Assert.Empty(Directory.GetFiles(_dir, "best.next-*"));
    }

    [Fact]
    public void A_checkpoint_of_the_earlier_format_with_the_best_weights_inside_still_resumes()
    {
        using var data = TestData.Synthetic();
        var whole = Fit(data, "cggm-reference", Options() with { RunDirectory = Path.Combine(_dir, "whole") });
        var runDir = Path.Combine(_dir, "old");
        Fit(data, "cggm-reference", Options(2) with { RunDirectory = runDir });
        // Rewrite last.ckpt as format 1 (magic CGGM-CHECKPOINT/1, the best weights appended) and remove best.ckpt.
        var last = Path.Combine(runDir, "last.ckpt");
        byte[] rest;
        using (var r = new BinaryReader(File.OpenRead(last)))
        {
            Assert.Equal("CGGM-CHECKPOINT/2", r.ReadString());
            rest = r.ReadBytes((int)(r.BaseStream.Length - r.BaseStream.Position));
        }
        var bestBytes = File.ReadAllBytes(Path.Combine(runDir, "best.ckpt"));
        using (var w = new BinaryWriter(File.Create(last)))
        {
            w.Write("CGGM-CHECKPOINT/1");
            w.Write(rest);
            w.Write(bestBytes.Length);
            w.Write(bestBytes);
        }
        File.Delete(Path.Combine(runDir, "best.ckpt"));
        // config.json says 2 epochs; the whole run has 3: same settings otherwise, so continue the 2-epoch run to 3 by editing it.
        var config = Path.Combine(runDir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"epochs\": 2", "\"epochs\": 3"));
        var resumed = Fit(data, "cggm-reference", Options() with { RunDirectory = runDir, Resume = true });
        Assert.Equal(whole.History.Steps.Select(s => s.Loss), resumed.History.Steps.Select(s => s.Loss));
        Assert.Equal(whole.Test.Metrics["accuracy"], resumed.Test.Metrics["accuracy"]);
    }

    [Theory]
    [InlineData(false)]   // killed after staging a new best, before last.ckpt: the staged file is dropped, the epoch re-runs
    [InlineData(true)]    // killed after last.ckpt, before the rename: the staged best is the one last.ckpt names
    public void A_crash_around_a_new_best_resumes_to_the_same_result(bool afterLast)
    {
        using var data = TestData.Synthetic();
        var whole = Fit(data, "joint", Options() with { RunDirectory = Path.Combine(_dir, "whole") });
        var runDir = Path.Combine(_dir, "crashed");
        Fit(data, "joint", Options(2) with { RunDirectory = runDir });
        var config = Path.Combine(runDir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"epochs\": 2", "\"epochs\": 3"));
        var best = Path.Combine(runDir, "best.ckpt");
        int bestEpoch = whole.History.Epochs.Take(2).Select(e => e.Valid["accuracy"]).ToList() is var acc ? acc.IndexOf(acc.Max()) : -1;
        if (afterLast) File.Move(best, Path.Combine(runDir, $"best.next-{bestEpoch}.ckpt"));
        else File.WriteAllBytes(Path.Combine(runDir, "best.next-2.ckpt"), [1, 2, 3]);   // a half-finished epoch 2's staged best
        var resumed = Fit(data, "joint", Options() with { RunDirectory = runDir, Resume = true });
        Assert.Equal(whole.BestEpoch, resumed.BestEpoch);
        Assert.Equal(whole.Test.Metrics["accuracy"], resumed.Test.Metrics["accuracy"]);
        Assert.True(File.Exists(best));
        Assert.Empty(Directory.GetFiles(runDir, "best.next-*"));
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
    public void A_non_finite_input_stops_the_run_at_its_batch_naming_the_sample()
    {
        var x = torch.randn([32, 4]);
        x[5, 1] = torch.tensor(double.NaN);
        var data = new TensorDataset(new InMemorySplit([x, torch.randn([32, 3])], torch.randint(0, 3, [32])), [new("a", [4]), new("b", [3])]);
        using var model = new MlpFusionNet(data.Modalities, 3, hidden: 4);
        using var trainer = new Trainer(model, new ClassificationTask(3), new JointTraining(), Options(1) with { ShuffleTrain = false });
        var e = Assert.Throws<InvalidSampleException>(() => trainer.Fit(data));
        Assert.Equal((Split.Train, 5, "a"), (e.Finding.Split, e.Finding.Sample, e.Finding.Modality));
        Assert.Contains("modality 'a' has NaN at [1]", e.Message);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_with_its_step()
    {
        // finite data, and a learning rate that overflows the weights in one step: the loss of step 1 is not finite
        var data = new TensorDataset(new InMemorySplit([torch.randn([32, 4]), torch.randn([32, 3])], torch.randint(0, 3, [32])), [new("a", [4]), new("b", [3])]);
        using var model = new MlpFusionNet(data.Modalities, 3, hidden: 4);
        var options = Options(1) with { ShuffleTrain = false, ClipNorm = null, Optimizer = new OptimizerSpec(OptimizerKind.Sgd, 1e30) };
        using var trainer = new Trainer(model, new ClassificationTask(3), new JointTraining(), options);
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(data));
        Assert.Equal((0, 1), (e.Epoch, e.Step));
        Assert.Contains("epoch 0, step 1", e.Message);
        Assert.Contains("inputs and labels were finite", e.Message);
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
