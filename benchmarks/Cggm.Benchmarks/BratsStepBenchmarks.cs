using BenchmarkDotNet.Attributes;
using Cggm.Bench;
using Cggm.Data;
using Cggm.Models;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Benchmarks;

/// <summary>
/// Where BraTS's CGGM time goes (<c>cggm bench</c>'s brats2021-small case: ResNet-18 backbones, batch 8 of 4 × [1, 160, 160]):
/// the model's forward and backward, and the four classifiers f_i (each a DeepLab decoder over its modality's features, as
/// released) forward only and forward + Dice ε + backward. Setup prints the multiply–accumulates of every convolution and
/// linear layer in one forward of each, the work the classifiers add that no scheduling removes.
/// </summary>
[MemoryDiagnoser]
public class BratsStepBenchmarks
{
    private MultimodalModel _model = null!;
    private LearningTask _task = null!;
    private ModalityClassifierSet _classifiers = null!;
    private Tensor[] _inputs = null!;
    private Tensor _target = null!;
    private Tensor[] _features = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.manual_seed(0);
        var bench = BenchSuite.Case("brats2021-small");
        using var data = new RandomTensorDataset(bench.Name, bench.Inputs, bench.Label, bench.BatchSize, 1, 1);
        _model = bench.Settings.CreateModel(data);
        _task = bench.Settings.CreateTask();
        _classifiers = new ModalityClassifierSet(_model, _task, new OptimizerSpec(OptimizerKind.Sgd, 1e-3), CPU);
        var batch = data[Split.Train].Load(Enumerable.Range(0, bench.BatchSize).ToArray(), CPU);
        _inputs = batch.Modalities.Select(t => t.DetachFromDisposeScope()).ToArray();
        _target = batch.Target.DetachFromDisposeScope();
        _model.train();
        using (no_grad()) _features = _model.Encode(_inputs).Select(f => f.detach().DetachFromDisposeScope()).ToArray();
        long model = MultiplyAccumulates(_model, () => _model.call(_inputs));
        long classifiers = MultiplyAccumulates(_classifiers.Classifiers, () => _classifiers.Predict(_features));
        Console.WriteLine($"// multiply-accumulates in one forward (batch {bench.BatchSize}): model {model / 1e9:F1} G, " +
            $"four classifiers {classifiers / 1e9:F1} G ({100.0 * classifiers / model:F0}% of the model's)");
    }

    /// <summary>Joint training's forward, task loss and backward (no optimizer step).</summary>
    [Benchmark(Baseline = true)]
    public void ModelForwardBackward()
    {
        using var scope = NewDisposeScope();
        _model.zero_grad();
        _task.Loss(_model.call(_inputs).Prediction, _target).backward();
    }

    /// <summary>The four classifiers on detached features: forward, Dice ε, backward (what CGGM adds, before the steps).</summary>
    [Benchmark]
    public void ClassifierPass()
    {
        using var scope = NewDisposeScope();
        _classifiers.Train(_features, _target);
    }

    /// <summary>The four classifiers' forward alone, in evaluation mode without gradient.</summary>
    [Benchmark]
    public void ClassifierForward()
    {
        using var scope = NewDisposeScope();
        _classifiers.Predict(_features);
    }

    /// <summary>Multiply–accumulates of the convolutions and linear layers of <paramref name="modules"/> during <paramref name="run"/>: output elements × weight elements per output.</summary>
    private static long MultiplyAccumulates(IEnumerable<nn.Module> modules, Action run)
    {
        long total = 0;
        var hooks = new List<Action>();
        foreach (var layer in modules.SelectMany(m => m.modules()))
            if (layer is Conv2d or Linear)
            {
                var weight = ((nn.Module<Tensor, Tensor>)layer).named_parameters().First(p => p.name == "weight").parameter;
                long perOutput = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                {
                var remover = ((nn.Module<Tensor, Tensor>)layer).register_forward_hook((_, _, output) => { total += output.numel() * perOutput; return output; });
                hooks.Add(remover.remove);
            }
            }
        using (no_grad()) using (NewDisposeScope()) run();
        hooks.ForEach(remove => remove());
        return total;
    }

    private static long MultiplyAccumulates(nn.Module module, Action run) => MultiplyAccumulates([module], run);
}
