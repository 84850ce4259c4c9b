using System.Diagnostics;
using System.Text;
using Cggm.Data;
using Cggm.Models;
using Cggm.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cggm.IO;

namespace Cggm.Training;

/// <summary>
/// Trains a <see cref="MultimodalModel"/> with a <see cref="BalancingMethod"/>: one dispose scope per step, one
/// device-to-host transfer per step for the history, validation after every epoch, the best epoch chosen on validation
/// and reported on test. With a run folder it writes <c>config.json</c>, <c>history.csv</c>, <c>epochs.csv</c>,
/// <c>metrics.json</c>, <c>best.ckpt</c> and, after every epoch, <c>last.ckpt</c> (atomically), from which
/// <see cref="TrainerOptions.Resume"/> continues an interrupted run to the same result.
/// </summary>
public sealed class Trainer(MultimodalModel model, LearningTask task, BalancingMethod method, TrainerOptions options) : IDisposable
{
    private ModalityProbes? _probes;
    private TrainingContext? _context;
    private Parameter[] _modelParameters = [];
    private LearningRateScheduler? _scheduler;

    /// <summary>The options.</summary>
    public TrainerOptions Options { get; } = options;

    /// <summary>The modality classifiers of the run: the method's own, else the passive probes, else null.</summary>
    public ModalityClassifierSet? Classifiers => method.Classifiers ?? _probes?.Set;

    /// <summary>Trains on <paramref name="data"/>'s train split, selects on valid, reports on test.</summary>
    public TrainingResult Fit(IMultimodalDataset data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var device = Options.Device is null ? Devices.Default : Devices.Decide(Options.Device);
        // every batch read is checked (finite inputs and labels in range) and a failed read names its sample: bad data stop the
        // run at the first batch that holds them, with the file, split, modality and sample, instead of as a NaN loss
        var train = RequireSamples(data, Split.Train);
        var valid = RequireSamples(data, Split.Valid);
        var test = RequireSamples(data, Split.Test);
        if (data.Modalities.Count != model.ModalityCount)
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Modalities.Count} modalities but {model.GetName()} takes {model.ModalityCount}.");
        int stepsPerEpoch = BatchOrder.Count(train.Count, Options.BatchSize, Options.DropLast);
        if (stepsPerEpoch == 0)
            throw new ArgumentException($"The train split of '{data.Name}' has {train.Count} samples, fewer than one batch of {Options.BatchSize} with DropLast; lower the batch size.");

        model.to(device);
        _modelParameters = model.parameters().ToArray();
        var optimizer = Options.Optimizer.Create(_modelParameters);
        _context = new TrainingContext(model, task, optimizer, device, Options, RecordGradientNorms, ClipAndStep, train, valid);
        method.Attach(_context);
        if (method.Classifiers is null && Options.ModalityProbes)
            _probes = new ModalityProbes(new ModalityClassifierSet(model, task, Options.ProbeOptimizer, device));
        _scheduler = new LearningRateScheduler(Options.Schedule, optimizer, Options.Optimizer.LearningRate, Options.Epochs, stepsPerEpoch);

        var history = new TrainingHistory(data.Modalities.Select(m => m.Name).ToArray());
        var state = new RunState();
        using var folder = Options.RunDirectory is null ? null : new RunFolder(Options.RunDirectory);
        folder?.Lock();
        if (folder?.Open(RunConfig(data), Options.Resume, r => ReadState(r, optimizer)) is { } resumed)
        {
            (history, state) = resumed;
            progress?.Report(new TrainingProgress(ProgressStage.Resumed, Math.Max(0, state.EpochsDone - 1), Options.Epochs, stepsPerEpoch, stepsPerEpoch,
                history.Epochs.Count > 0 ? history.Epochs[^1].TrainLoss : double.NaN));
        }

        for (int epoch = state.EpochsDone; epoch < Options.Epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            model.train();
            double lossSum = 0;
            int step = 0;
            foreach (var indices in BatchOrder.Batches(train.Count, Options.BatchSize, Options.ShuffleTrain, Options.Seed, epoch, Options.DropLast))
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var s = new StepState(epoch, step, state.GlobalStep, train.Load(indices, device), indices);
                _scheduler.BeforeStep(state.GlobalStep);
                RunStep(s);
                var record = Materialize(s, _scheduler.Current);
                history.Steps.Add(record);
                lossSum += record.Loss;
                step++;
                state.GlobalStep++;
                progress?.Report(new TrainingProgress(ProgressStage.Step, epoch, Options.Epochs, step, stepsPerEpoch, record.Loss));
            }
            method.OnEpochEnd(epoch);

            var v = Evaluate(valid, device);
            _scheduler.AfterEpoch(v.Loss);
            if (!v.Metrics.TryGetValue(task.Selection.Name, out var score))
                throw new InvalidOperationException($"The task's selection metric '{task.Selection.Name}' is not among its metrics ({string.Join(", ", v.Metrics.Keys)}).");
            if (task.Selection.IsBetter(score, state.BestScore))
            {
                state.BestScore = score;
                state.BestEpoch = epoch;
                state.BestWeights = SnapshotWeights();
                folder?.StageBest(epoch, state.BestWeights);
            }
            var summary = new EpochRecord
            {
                Epoch = epoch, TrainLoss = lossSum / Math.Max(1, step), ValidLoss = v.Loss, Valid = v.Metrics,
                ValidPerModality = v.PerModality, LearningRate = _scheduler.Current, Seconds = epochClock.Elapsed.TotalSeconds,
            };
            history.Epochs.Add(summary);
            state.EpochsDone = epoch + 1;
            folder?.WriteCheckpoint(history, state, w => WriteState(w, optimizer));
            progress?.Report(new TrainingProgress(ProgressStage.Epoch, epoch, Options.Epochs, step, stepsPerEpoch, summary.TrainLoss, summary));
        }

        if (state.BestWeights is null)
            throw new InvalidOperationException("No epoch was trained (Epochs = 0), so there is no model to report.");
        RestoreWeights(state.BestWeights);
        var bestValid = Evaluate(valid, device);
        var testResult = Evaluate(test, device);
        progress?.Report(new TrainingProgress(ProgressStage.Test, Options.Epochs - 1, Options.Epochs, stepsPerEpoch, stepsPerEpoch, testResult.Loss));
        var result = new TrainingResult
        {
            Method = method.Name, Seed = Options.Seed, History = history, BestEpoch = state.BestEpoch,
            Valid = bestValid, Test = testResult, Seconds = clock.Elapsed.TotalSeconds, RunDirectory = folder?.Directory,
        };
        folder?.WriteResults(result);
        return result;
    }

    /// <summary>Evaluates the current model (and the run's classifiers) on <paramref name="split"/>.</summary>
    public EvaluationResult Evaluate(IDataSplit split, Device device)
    {
        var metrics = task.CreateMetrics();
        var classifiers = Classifiers;
        var perModality = classifiers is null ? [] : Enumerable.Range(0, model.ModalityCount).Select(_ => task.CreateMetrics()).ToArray();
        double lossSum = 0;
        model.eval();
        try
        {
            foreach (var indices in BatchOrder.Batches(split.Count, Options.EffectiveEvalBatchSize, shuffle: false, 0, 0))
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var batch = split.Load(indices, device);
                var output = method.EvaluationForward(batch.Modalities);
                task.Validate(output.Prediction, batch.Target);
                lossSum += task.Loss(output.Prediction, batch.Target).item<float>() * batch.Size;
                metrics.Add(output.Prediction, batch.Target);
                if (classifiers is null) continue;
                var predictions = classifiers.Predict(output.Features);
                for (int i = 0; i < predictions.Length; i++) perModality[i].Add(predictions[i], batch.Target);
            }
        }
        finally
        {
            model.train();
        }
        return new EvaluationResult(lossSum / split.Count, metrics.Compute(), perModality.Select(m => m.Compute()).ToArray());
    }

    private void RunStep(StepState s)
    {
        if (method.OwnsStep)
        {
            method.TrainStep(s);
            if (s.Output is not null) _probes?.Observe(s, GradientTools.GradOrZeros(model.HeadOutputWeight));
            return;
        }
        _context!.Optimizer.zero_grad();
        s.Output = method.Forward(s);
        task.Validate(s.Output.Prediction, s.Batch.Target);
        s.TaskLoss = task.Loss(s.Output.Prediction, s.Batch.Target);
        s.Loss = method.ComposeLoss(s);
        s.Loss.backward();
        RecordGradientNorms(s, modulated: false);
        _probes?.Observe(s, GradientTools.GradOrZeros(model.HeadOutputWeight));
        method.AfterBackward(s);
        if (method.ModifiesEncoderGradients) RecordGradientNorms(s, modulated: true);
        ClipAndStep();
        method.AfterOptimizerStep(s);
    }

    private void RecordGradientNorms(StepState s, bool modulated)
    {
        if (!Options.RecordGradientNorms) return;
        var norms = GradientTools.Norms(_context!.EncoderParameters);
        if (modulated) s.GradNormModulated = norms;
        else s.GradNorm = norms;
    }

    private void ClipAndStep()
    {
        if (Options.ClipNorm is { } clip) nn.utils.clip_grad_norm_(_modelParameters, clip);
        _context!.Optimizer.step();
    }

    /// <summary>Copies every recorded tensor of the step to the host in one transfer and checks the loss is finite.</summary>
    private static StepRecord Materialize(StepState s, double learningRate)
    {
        var d = s.Diagnostics;
        var parts = new List<(string Name, Tensor Value)> { ("loss", s.Loss!), ("task", s.TaskLoss ?? s.Loss!) };
        void Add(string name, Tensor? t) { if (t is not null) parts.Add((name, t)); }
        Add("gn", s.GradNorm); Add("gnm", s.GradNormModulated); Add("eps", d.Utilization); Add("deps", d.DeltaUtilization);
        Add("b", d.Coefficients); Add("cos", d.Cosine); Add("gm", d.DirectionLoss); Add("cl", d.ClassifierLoss);
        foreach (var (k, v) in d.Extra) Add("x:" + k, v);
        var flat = torch.cat(parts.Select(p => p.Value.detach().reshape(-1).to(ScalarType.Float64)).ToArray()).cpu();
        var values = flat.data<double>().ToArray();
        var byName = new Dictionary<string, double[]>();
        int offset = 0;
        foreach (var (name, value) in parts)
        {
            int n = (int)value.numel();
            byName[name] = values[offset..(offset + n)];
            offset += n;
        }
        double loss = byName["loss"][0];
        if (!double.IsFinite(loss)) throw new NonFiniteLossException(s.Epoch, s.Step, s.GlobalStep, loss);
        return new StepRecord
        {
            Epoch = s.Epoch, Step = s.Step, GlobalStep = s.GlobalStep, Loss = loss, TaskLoss = byName["task"][0], LearningRate = learningRate,
            GradNorm = byName.GetValueOrDefault("gn"), GradNormModulated = byName.GetValueOrDefault("gnm"),
            Utilization = byName.GetValueOrDefault("eps"), DeltaUtilization = byName.GetValueOrDefault("deps"),
            Coefficients = byName.GetValueOrDefault("b"), Cosine = byName.GetValueOrDefault("cos"), ClassifierLoss = byName.GetValueOrDefault("cl"),
            DirectionLoss = byName.TryGetValue("gm", out var gm) ? gm[0] : null,
            Extra = byName.Where(kv => kv.Key.StartsWith("x:", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[2..], kv => kv.Value),
        };
    }

    private static IDataSplit RequireSamples(IMultimodalDataset data, Split split)
    {
        var s = data[split];
        if (s.Count == 0) throw new ArgumentException($"The {split.ToString().ToLowerInvariant()} split of dataset '{data.Name}' is empty; every split needs samples (check the data folder with 'cggm data inspect').");
        return new CheckedSplit(s, split, data);
    }

    private byte[] SnapshotWeights()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
            writer.Write(Classifiers is not null);
            Classifiers?.SaveWeights(writer);
            method.SaveWeights(writer);
        }
        return stream.ToArray();
    }

    private void RestoreWeights(byte[] snapshot)
    {
        using var reader = new BinaryReader(new MemoryStream(snapshot));
        model.load(reader);
        if (reader.ReadBoolean()) Classifiers!.LoadWeights(reader);
        method.LoadWeights(reader);
    }

    /// <summary>The trainer's part of <c>last.ckpt</c>: model, optimizer, schedule, method state, probes, random generator.</summary>
    private void WriteState(BinaryWriter w, optim.Optimizer optimizer)
    {
        model.save(w);
        OptimizerCheckpoint.Save(optimizer, w);
        _scheduler!.Save(w);
        method.SaveState(w);
        w.Write(_probes is not null);
        _probes?.Set.Save(w);
        using var rng = torch.random.get_rng_state();
        var bytes = rng.data<byte>().ToArray();
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    /// <summary>Restores what <see cref="WriteState"/> wrote.</summary>
    private void ReadState(BinaryReader r, optim.Optimizer optimizer)
    {
        model.load(r);
        OptimizerCheckpoint.Load(optimizer, r);
        _scheduler!.Load(r);
        method.LoadState(r);
        if (r.ReadBoolean()) _probes!.Set.Load(r);
        var rng = r.ReadBytes(r.ReadInt32());
        using var st = torch.tensor(rng, ScalarType.Byte);
        torch.random.set_rng_state(st);
    }

    /// <summary>Version of what a run records; a run folder written by another version is not resumed.</summary>
    private const int RunFormat = 2;

    private string RunConfig(IMultimodalDataset data) => Json.Serialize(new
    {
        format = RunFormat,
        dataset = data.Name,
        modalities = data.Modalities,
        label = data.Label,
        task = task.Kind,
        model = new { type = model.GetType().Name, parameters = _modelParameters.Sum(p => p.numel()) },
        method = new { name = method.Name, options = method.Options },
        trainer = Options with { Resume = false, RunDirectory = null },
    });

    /// <inheritdoc />
    public void Dispose() => _probes?.Dispose();
}
