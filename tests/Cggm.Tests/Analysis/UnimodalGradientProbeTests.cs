using Cggm.Analysis;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tests.Modulation;
using Cggm.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests.Analysis;

public class UnimodalGradientProbeTests
{
    private static readonly int[] Dims = [3, 4, 5];

    [Fact]
    public void Gradients_are_those_of_the_head_and_classifier_output_layers_with_the_other_features_zeroed()
    {
        var model = TestData.Model(3, Dims);
        var task = new ClassificationTask(3);
        var classifiers = Enumerable.Range(0, 3).Select(model.CreateModalityClassifier).ToArray();
        var batch = TestData.Batch(16, 3, Dims);
        model.train();

        var g = UnimodalGradientProbe.Measure(model, classifiers, task, batch);

        Assert.True(model.training, "the probe must restore training mode");
        Assert.All(model.parameters(), p => Assert.Null(p.grad));          // nothing accumulated in .grad
        Assert.All(classifiers.SelectMany(c => c.parameters()), p => Assert.Null(p.grad));

        // independent recomputation with backward(), in evaluation mode
        model.eval();
        var h = model.Encode(batch.Modalities).Select(t => t.detach()).ToArray();
        for (int i = 0; i < 3; i++)
        {
            var masked = h.Select((t, j) => j == i ? t : torch.zeros_like(t)).ToArray();
            model.zero_grad();
            task.Loss(model.FromFeatures(masked).Prediction, batch.Target).backward();
            Assert.Equal(TestData.Values(model.HeadOutputWeight.grad!), g.Unimodal[i], new Tolerance(1e-6));
            task.Loss(classifiers[i].call(h[i]), batch.Target).backward();
            Assert.Equal(TestData.Values(classifiers[i].OutputWeight.grad!), g.Classifier[i], new Tolerance(1e-6));
        }
        model.zero_grad();
        task.Loss(model.FromFeatures(h).Prediction, batch.Target).backward();
        Assert.Equal(TestData.Values(model.HeadOutputWeight.grad!), g.Fusion, new Tolerance(1e-6));

        Assert.Equal(model.HeadOutputWeight.numel(), g.Unimodal[0].Length);
        Assert.NotEqual(g.Unimodal[0], g.Unimodal[1]);   // the zeroing matters
    }

    [Fact]
    public void Classifiers_of_another_shape_are_rejected()
    {
        var model = TestData.Model(3, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => UnimodalGradientProbe.Measure(model, [new MlpModalityClassifier(6, 4), new MlpModalityClassifier(6, 4)],
            new ClassificationTask(3), TestData.Batch(4, 3, 3, 4)));
        Assert.Contains("[4, 6]", e.Message);
    }

    [Fact]
    public void Agreement_is_one_for_identical_gradients_and_reads_the_cosines_it_says()
    {
        var rng = new Random(2);
        double[] V(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var batches = Enumerable.Range(0, 6).Select(_ =>
        {
            var u = new[] { V(8), V(8) };
            return new BatchGradients([u[0].Select(x => 3 * x).ToArray(), u[1].ToArray()], u, V(8));
        }).ToArray();
        var rows = GradientAgreement.Compute(batches, ["a", "b"]);
        Assert.All(rows, r => Assert.Equal(1.0, r.ClassifierVsUnimodal, 12));   // scale does not matter, direction does
        Assert.All(rows, r => Assert.Equal(1.0, r.StandInCorrelation, 12));
        Assert.All(rows, r => Assert.Equal(r.FusionVsClassifier, r.FusionVsUnimodal, 12));
        Assert.Equal(batches.Average(b => GradientAgreement.Cosine(b.Classifier[0], b.Unimodal[1])), rows[0].ClassifierVsOtherUnimodal, 12);
        Assert.True(Math.Abs(rows[0].ClassifierVsOtherUnimodal) < 0.9);

        Assert.Equal(-1.0, GradientAgreement.Cosine([1.0, 2.0], [-2.0, -4.0]), 12);
        Assert.Equal(0.0, GradientAgreement.Cosine([0.0, 0.0], [1.0, 2.0]));
        Assert.Equal(1.0, GradientAgreement.Pearson([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]), 2);
        Assert.True(double.IsNaN(GradientAgreement.Pearson([1.0, 2.0], [1.0, 2.0])));
        Assert.Equal(1.0, GradientAgreement.Normalize([3.0, 4.0]).Sum(x => x * x), 12);
    }
}
