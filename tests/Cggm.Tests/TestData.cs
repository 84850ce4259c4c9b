using Cggm.Data;
using Cggm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests;

/// <summary>Tiny models and batches for unit tests.</summary>
internal static class TestData
{
    public static ModalityInfo[] Modalities(params int[] dims) => dims.Select((d, i) => new ModalityInfo($"m{i}", [d])).ToArray();

    /// <summary>A seeded MlpFusionNet over vector modalities of the given dims.</summary>
    public static MlpFusionNet Model(int classes, params int[] dims)
    {
        torch.manual_seed(7);
        return new MlpFusionNet(Modalities(dims), classes, hidden: 6);
    }

    /// <summary>A seeded batch of <paramref name="n"/> samples for <paramref name="dims"/>, labels in 0..classes−1.</summary>
    public static Batch Batch(int n, int classes, params int[] dims)
    {
        var g = new Generator(11);
        return new Batch(dims.Select(d => torch.randn([n, d], generator: g)).ToArray(), torch.randint(0, classes, [n], generator: g));
    }

    /// <summary>An in-memory split of <paramref name="n"/> random samples.</summary>
    public static InMemorySplit Split(int n, int classes, params int[] dims)
    {
        var b = Batch(n, classes, dims);
        return new InMemorySplit(b.Modalities, b.Target);
    }

    /// <summary>A small synthetic dataset.</summary>
    public static SyntheticImbalance Synthetic(int train = 96, SyntheticTarget target = SyntheticTarget.Classification, int modalities = 2) =>
        new(new SyntheticImbalanceOptions
        {
            Modalities = Enumerable.Range(0, modalities).Select(i => new SyntheticModality($"m{i}", 5, 1.0 + 0.2 * i, 1.0, 0.5 * i)).ToArray(),
            Target = target, Classes = 3, TrainSize = train, ValidSize = 32, TestSize = 32, Seed = 3,
        });

    /// <summary>Clones of every gradient of <paramref name="module"/>, by parameter name.</summary>
    public static Dictionary<string, Tensor> Grads(nn.Module module) =>
        module.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
}
