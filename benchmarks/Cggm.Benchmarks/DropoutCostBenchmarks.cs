using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Cggm.Data;
using Cggm.Models;
using Cggm.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Benchmarks;

/// <summary>
/// Where the MOSI-size step's time goes: the model's forward and backward with dropout (training mode) and without it
/// (evaluation mode, same graph otherwise), the two in alternating pairs (the ratio that drift cannot move), and the
/// element-wise pieces of one fusion-layer attention map [64, 5, 150, 150]: libtorch's uniform draw over it, the
/// keep-mask our dropout draws instead, its softmax, and q·kᵀ.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PairedRatioColumn.Config))]
public class DropoutCostBenchmarks
{
    private SequenceTransformer _model = null!;
    private Tensor[] _inputs = null!;
    private Tensor _target = null!;
    private Tensor _attention = null!;
    private Tensor _q = null!;
    private Tensor _kT = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.manual_seed(0);
        ModalityInfo[] inputs = [new("text", [50, 300]), new("audio", [50, 5]), new("vision", [50, 20])];
        _model = new SequenceTransformer(inputs, new TransformerModelOptions());
        _inputs = inputs.Select(m => torch.randn([64, .. m.Shape])).ToArray();
        _target = torch.randn(64);
        _attention = torch.rand(64, 5, 150, 150);
        _q = torch.randn(64, 5, 150, 8);
        _kT = torch.randn(64, 5, 8, 150);
    }

    /// <summary><see cref="Setup"/>, and the pairs of an earlier run forgotten.</summary>
    [GlobalSetup(Target = nameof(TrainingAndEvaluationPair))]
    public void SetupPairs()
    {
        Setup();
        PairedStepTimes.Clear();
    }

    /// <summary>Forward and backward in training mode (every dropout draws its mask).</summary>
    [Benchmark(Baseline = true)]
    public void ForwardBackwardWithDropout() => ForwardBackward(train: true);

    /// <summary>The same forward and backward in evaluation mode: no dropout masks.</summary>
    [Benchmark]
    public void ForwardBackwardWithoutDropout() => ForwardBackward(train: false);

    /// <summary>
    /// One training-mode and one evaluation-mode step back to back, each timed on its own, the order alternating from call to
    /// call; <see cref="PairedRatioColumn"/> reports the median ratio over the measured pairs. The speed of these machines
    /// drifts by up to 2× within minutes, which two benchmarks run one after the other cannot tell from the dropout's cost.
    /// </summary>
    [Benchmark]
    public void TrainingAndEvaluationPair()
    {
        bool trainingFirst = PairedStepTimes.Count % 2 == 0;
        double first = TimedForwardBackward(train: trainingFirst), second = TimedForwardBackward(train: !trainingFirst);
        PairedStepTimes.Record(trainingFirst ? first : second, trainingFirst ? second : first);
    }

    /// <summary>U[0, 1) over one fusion-layer attention map, the draw behind its dropout mask.</summary>
    [Benchmark]
    public void UniformDrawAttentionMap() { using var u = torch.rand_like(_attention); }

    /// <summary>The keep-mask the models' dropout draws for the same map (<see cref="SplitMixMask"/>, p = 0.15).</summary>
    [Benchmark]
    public void SplitMixMaskAttentionMap() { using var m = SplitMixMask.Create(_attention, 0.15); }

    /// <summary>Dropout forward and backward over the same map as the models run it (<see cref="SplitMixDropout"/>: one fused pass each way).</summary>
    [Benchmark]
    public void FusedDropoutAttentionMap() => DropoutForwardBackward(x => SplitMixDropout.Apply(x, 0.15));

    /// <summary>The same with a stored mask: <c>x * SplitMixMask.Create(x, p)</c> and libtorch's multiplication backward.</summary>
    [Benchmark]
    public void StoredMaskDropoutAttentionMap() => DropoutForwardBackward(x => { using var m = SplitMixMask.Create(x, 0.15); return x * m; });

    /// <summary>libtorch's own dropout (<c>bernoulli_</c> mask, then multiplication) forward and backward over the same map.</summary>
    [Benchmark]
    public void LibtorchDropoutAttentionMap() => DropoutForwardBackward(x => nn.functional.dropout(x, 0.15, true));

    /// <summary>Softmax over the same map.</summary>
    [Benchmark]
    public void SoftmaxAttentionMap() { using var s = nn.functional.softmax(_attention, -1); }

    /// <summary>q·kᵀ for the same map (head width 8).</summary>
    [Benchmark]
    public void QueryKeyProduct() { using var a = torch.matmul(_q, _kT); }

    private void DropoutForwardBackward(Func<Tensor, Tensor> dropout)
    {
        using var scope = NewDisposeScope();
        var x = _attention.detach().requires_grad_(true);
        dropout(x).backward([_attention]);
    }

    private double TimedForwardBackward(bool train)
    {
        long start = Stopwatch.GetTimestamp();
        ForwardBackward(train);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private void ForwardBackward(bool train)
    {
        using var scope = NewDisposeScope();
        _model.train(train);
        _model.zero_grad();
        nn.functional.l1_loss(_model.call(_inputs).Prediction.reshape(-1), _target).backward();
    }
}
