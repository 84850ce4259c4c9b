using BenchmarkDotNet.Attributes;
using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Benchmarks;

/// <summary>
/// The pieces of a CGGM step on the MOSI-size model (batch 64; text 300-d, audio 5-d, vision 20-d; 50 steps):
/// the model's forward and backward, the classifiers' pass, Eq. 7, and the encoder-gradient scaling of Eq. 8.
/// </summary>
[MemoryDiagnoser]
public class CggmStepBenchmarks
{
    private SequenceTransformer _model = null!;
    private ModalityClassifierSet _classifiers = null!;
    private Tensor[] _inputs = null!;
    private Tensor _target = null!;
    private Tensor[] _features = null!;
    private Tensor _delta = null!;
    private IReadOnlyList<TorchSharp.Modules.Parameter>[] _encoders = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.manual_seed(0);
        ModalityInfo[] inputs = [new("text", [50, 300]), new("audio", [50, 5]), new("vision", [50, 20])];
        _model = new SequenceTransformer(inputs, new TransformerModelOptions());
        var task = new MosiSettings().CreateTask();
        _classifiers = new ModalityClassifierSet(_model, task, new OptimizerSpec(OptimizerKind.Adam, 5e-4), CPU);
        _inputs = inputs.Select(m => torch.randn([64, .. m.Shape])).ToArray();
        _target = torch.randn(64).clamp(-3, 3);
        using (no_grad()) _features = _model.Encode(_inputs).Select(f => f.detach().DetachFromDisposeScope()).ToArray();
        _delta = torch.tensor(new[] { 0.05, -0.02, 0.01 });
        _encoders = Enumerable.Range(0, 3).Select(i => (IReadOnlyList<TorchSharp.Modules.Parameter>)_model.EncoderParameters(i).ToArray()).ToArray();
        var loss = task.Loss(_model.call(_inputs).Prediction, _target);
        loss.backward();
    }

    /// <summary>Joint training's forward and backward of the model (no optimizer step).</summary>
    [Benchmark(Baseline = true)]
    public void ModelForwardBackward()
    {
        using var scope = NewDisposeScope();
        _model.zero_grad();
        nn.functional.l1_loss(_model.call(_inputs).Prediction.reshape(-1), _target).backward();
    }

    /// <summary>The three classifiers on detached features: forward, ε, backward (what CGGM adds per step, before the step).</summary>
    [Benchmark]
    public void ClassifierPass()
    {
        using var scope = NewDisposeScope();
        _classifiers.Train(_features, _target);
    }

    /// <summary>B from Δε (Eq. 7) with the guard.</summary>
    [Benchmark]
    public void BalancingCoefficientsEq7()
    {
        using var scope = NewDisposeScope();
        BalancingCoefficients.Compute(_delta, 1.3, guard: true);
    }

    /// <summary>θ^{φ_i}.grad ×= B_i for the three encoders (Eq. 8).</summary>
    [Benchmark]
    public void ScaleEncoderGradients()
    {
        using var scope = NewDisposeScope();
        var b = torch.tensor(new[] { 1.0, 1.0, 1.0 });
        for (int i = 0; i < 3; i++) GradientTools.Scale(_encoders[i], b[i]);
    }

    /// <summary>The per-modality encoder gradient norms the trainer records each step.</summary>
    [Benchmark]
    public void EncoderGradientNorms()
    {
        using var scope = NewDisposeScope();
        GradientTools.Norms(_encoders);
    }
}
