using System.Diagnostics;
using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cggm.Tests.Models;

/// <summary>Each paper model learns (loss goes down on a fixed batch) and runs under CGGM through the trainer.</summary>
[Collection(ModelCollection.Name)]
public class ModelTrainingTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => ["mosi", "iemocap", "food101", "brats"];

    /// <summary>A tiny model of each family, in the dataset's real input shapes (BraTS at <paramref name="bratsSize"/>).</summary>
    private static (RandomDataset Data, MultimodalModel Model, LearningTask Task) Build(string name, int bratsSize, double dropout = 0)
    {
        return name switch
        {
            "mosi" => (new RandomDataset(name, Tiny.Mosi, LabelInfo.Regression()), new SequenceTransformer(Tiny.Mosi, Tiny.Sequence(1, dropout)), new RegressionTask()),
            "iemocap" => (new RandomDataset(name, Tiny.Iemocap, LabelInfo.Classification(4)), new SequenceTransformer(Tiny.Iemocap, Tiny.Sequence(4, dropout)), new ClassificationTask(4)),
            "food101" => (new RandomDataset(name, Tiny.Food, LabelInfo.Classification(101)),
                          new SequenceTransformer(Tiny.Food, Tiny.FoodOptions() with { Dropouts = Tiny.Sequence(1, dropout).Dropouts }), new ClassificationTask(101)),
            "brats" => (new RandomDataset(name, Tiny.Brats(bratsSize), LabelInfo.Segmentation(4, bratsSize, bratsSize)),
                        new BratsDeepLab(Tiny.Brats(bratsSize), Tiny.Seg(dropout)), new SegmentationTask(4, ceWeight: 0.5, diceWeight: 0.5)),
            _ => throw new ArgumentException(name),
        };
    }

    private const int Steps = 15;

    [Theory]
    [MemberData(nameof(Models))]
    public void Loss_goes_down_on_a_fixed_batch_in_the_real_input_shapes(string name)
    {
        torch.manual_seed(11);
        var (data, model, task) = Build(name, bratsSize: 160);
        using var _ = data;
        using var __ = model;
        using var batch = name == "brats" ? Tiny.SegmentationBlobs(2, 160) : data.Sample(4);
        using var optimizer = optim.Adam(model.parameters(), 3e-3);
        var clock = Stopwatch.StartNew();
        var losses = new List<double>();
        model.train();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = task.Loss(model.call(batch.Modalities).Prediction, batch.Target);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        output.WriteLine($"{name}: loss {losses[0]:F4} → {losses[^1]:F4} in {Steps} steps ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < 0.75 * losses[0], $"{name}: loss {losses[0]:F4} → {losses[^1]:F4}");
    }

    [Theory]
    [InlineData("mosi", CggmVariant.Reference)]
    [InlineData("mosi", CggmVariant.Paper)]
    [InlineData("iemocap", CggmVariant.Reference)]
    [InlineData("iemocap", CggmVariant.Paper)]
    [InlineData("food101", CggmVariant.Reference)]
    [InlineData("food101", CggmVariant.Paper)]
    [InlineData("brats", CggmVariant.Reference)]
    [InlineData("brats", CggmVariant.Paper)]
    public void Cggm_trains_each_model_through_the_trainer_by_role(string name, CggmVariant variant)
    {
        torch.manual_seed(12);
        var (data, model, task) = Build(name, bratsSize: 32, dropout: 0.1);
        using var _ = data;
        using var __ = model;
        using var method = CggmMethod.Create(new CggmOptions { Variant = variant, Rho = 1.3, Lambda = 0.2 });
        var options = new TrainerOptions { Epochs = 1, BatchSize = 4, ClipNorm = 0.8, ShuffleTrain = false, Device = "cpu" };
        using var trainer = new Trainer(model, task, method, options);
        var clock = Stopwatch.StartNew();
        var result = trainer.Fit(data);
        output.WriteLine($"{name} {variant}: {result.History.Steps.Count} steps in {clock.Elapsed.TotalSeconds:F1} s; test {string.Join(", ", result.Test.Metrics.Select(kv => $"{kv.Key} {kv.Value:F3}"))}");

        Assert.Equal(2, result.History.Steps.Count);
        Assert.Equal(model.ModalityCount, result.Test.PerModality.Count);
        foreach (var s in result.History.Steps)
        {
            Assert.True(double.IsFinite(s.Loss));
            Assert.Equal(model.ModalityCount, s.Coefficients!.Length);
            // θ^{φ_i} found by role: every encoder received gradient, and CGGM scaled exactly that group by B_i (Eq. 8).
            for (int i = 0; i < model.ModalityCount; i++)
            {
                Assert.True(s.GradNorm![i] > 0, $"{name}: encoder {i} got no gradient");
                Assert.Equal(Math.Abs(s.Coefficients[i]) * s.GradNorm[i], s.GradNormModulated![i], Math.Max(1e-6, 1e-4 * s.GradNormModulated[i]));
            }
        }
        Assert.All(method.Classifiers!.Classifiers, c => Assert.Equal(model.HeadOutputWeight.shape, c.OutputWeight.shape));
    }
}
