using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Cggm.Tests.Data;

public class SyntheticImbalanceTests(ITestOutputHelper output)
{
    [Fact]
    public void The_same_seed_gives_the_same_data_and_another_seed_other_data()
    {
        using var a = new SyntheticImbalance(new SyntheticImbalanceOptions { Seed = 1, TrainSize = 50 });
        using var b = new SyntheticImbalance(new SyntheticImbalanceOptions { Seed = 1, TrainSize = 50 });
        using var c = new SyntheticImbalance(new SyntheticImbalanceOptions { Seed = 2, TrainSize = 50 });
        Assert.True(TestData.Same(a.Get(Split.Train).Modalities[1], b.Get(Split.Train).Modalities[1]));
        Assert.True(TestData.Same(a.Get(Split.Test).Target, b.Get(Split.Test).Target));
        Assert.False(TestData.Same(a.Get(Split.Train).Modalities[1], c.Get(Split.Train).Modalities[1]));
        Assert.Equal([50L, 16L], a.Get(Split.Train).Modalities[0].shape);
    }

    [Fact]
    public void Regression_targets_lie_in_the_sentiment_range()
    {
        using var d = new SyntheticImbalance(new SyntheticImbalanceOptions { Target = SyntheticTarget.Regression, Modalities = [new("a", 4, 1), new("b", 3, 1), new("c", 2, 1)] });
        var y = TestData.Values(d.Get(Split.Train).Target);
        Assert.InRange(y.Min(), -3, -2.9);
        Assert.InRange(y.Max(), 2.9, 3);
        Assert.Equal("regression", d.Label.Kind);
        Assert.Equal(3, d.Modalities.Count);
    }

    [Fact]
    public void Bad_settings_are_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticImbalance(new SyntheticImbalanceOptions { Modalities = [new("x", 4, 1, Nonlinearity: 1.5)] }));
        Assert.Contains("'x'", e.Message);
        Assert.Throws<ArgumentException>(() => new SyntheticImbalance(new SyntheticImbalanceOptions { Modalities = [] }));
    }

    /// <summary>
    /// The situation CGGM addresses: after joint training, a linear probe on the weak modality's encoder scores clearly
    /// below the same encoder trained alone (unimodal training), over 3 seeds of the quickstart benchmark.
    /// </summary>
    [Fact]
    public void Joint_training_under_trains_the_weak_modality()
    {
        var benchmark = new SyntheticBenchmark();
        using var data = new SyntheticImbalance(benchmark.Data);
        int weak = 1;
        var joint = new List<double>();
        var alone = new List<double>();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            joint.Add(ProbeAfter(new JointTraining(), seed));
            alone.Add(ProbeAfter(new UnimodalTraining(weak), seed));
        }
        output.WriteLine($"weak-encoder linear probe, test accuracy: joint [{string.Join(", ", joint.Select(v => v.ToString("F3")))}] alone [{string.Join(", ", alone.Select(v => v.ToString("F3")))}]");
        Assert.True(alone.Average() - joint.Average() >= 0.03, $"joint {joint.Average():F3} vs alone {alone.Average():F3}: the weak encoder is not clearly under-trained");
        Assert.All(joint.Zip(alone), p => Assert.True(p.First < p.Second));

        double ProbeAfter(BalancingMethod method, int seed)
        {
            Seeding.Everything(seed);
            using var model = new MlpFusionNet(data.Modalities, benchmark.Data.Classes, benchmark.Hidden);
            using var trainer = new Trainer(model, new ClassificationTask(benchmark.Data.Classes), method, benchmark.Trainer with { Seed = seed, Device = "cpu", ModalityProbes = false });
            trainer.Fit(data);
            method.Dispose();
            return LinearProbe.Accuracy(model, weak, data[Split.Train], data[Split.Test], benchmark.Data.Classes, torch.CPU);
        }
    }
}
