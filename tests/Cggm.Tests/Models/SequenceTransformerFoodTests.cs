using Cggm.Models;
using Cggm.Models.Blocks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cggm.Tests.Models;

[Collection(ModelCollection.Name)]
public class SequenceTransformerFoodTests(ITestOutputHelper output)
{
    [Fact]
    public void Shapes_of_prediction_features_and_classifiers()
    {
        torch.manual_seed(6);
        using var model = new SequenceTransformer(Tiny.Food, Tiny.FoodOptions());
        var o = model.call([torch.randn(2, 197, 768), torch.randn(2, 50, 768)]);
        Assert.Equal([2L, 101], o.Prediction.shape);
        Assert.Equal([2L, 197, 8], o.Features[0].shape);
        Assert.Equal([2L, 50, 8], o.Features[1].shape);
        for (int i = 0; i < 2; i++)
        {
            using var f = model.CreateModalityClassifier(i);
            Assert.Equal([2L, 101], f.call(o.Features[i]).shape);
            Assert.Equal(model.HeadOutputWeight.shape, f.OutputWeight.shape);
        }
    }

    [Fact]
    public void Each_modality_has_its_own_projection_by_default_and_the_released_bug_shares_the_image_one()
    {
        torch.manual_seed(7);
        using var fixedModel = new SequenceTransformer(Tiny.Food, Tiny.FoodOptions());
        using var bugModel = new SequenceTransformer(Tiny.Food, Tiny.FoodOptions(bug: true));
        var fixedText = (SequenceEncoder)fixedModel.Encoder(1);
        var bugText = (SequenceEncoder)bugModel.Encoder(1);
        Assert.NotSame(((SequenceEncoder)fixedModel.Encoder(0)).Projection, fixedText.Projection);
        Assert.Same(((SequenceEncoder)bugModel.Encoder(0)).Projection, bugText.Projection);
        Assert.Equal(Tiny.Count(fixedModel) - (768 * 8 + 8), Tiny.Count(bugModel));   // the shared projection is listed once

        // In the bug, the text gradient reaches the image projection.
        bugModel.call([torch.randn(2, 197, 768), torch.randn(2, 50, 768)]);
        var text = bugModel.Encoder(1).call(torch.randn(2, 50, 768));
        text.sum().backward();
        Assert.NotNull(((SequenceEncoder)bugModel.Encoder(0)).Projection.weight!.grad);
        Assert.Throws<ArgumentException>(() => new SequenceTransformer(Tiny.Food, Tiny.FoodOptions(bug: true) with { ScaleInputProjections = true }));
        Assert.Throws<ArgumentException>(() => new SequenceTransformer([new("image", [197, 768]), new("text", [50, 384])], Tiny.FoodOptions(bug: true)));
    }

    [Fact]
    public void Paper_size_parameter_count()
    {
        using var model = new SequenceTransformer(Tiny.Food, TransformerModelOptions.Food101);
        using var bug = new SequenceTransformer(Tiny.Food, TransformerModelOptions.Food101 with { SharedProjectionBug = true });
        output.WriteLine($"SequenceTransformer (4 layers, d = 40, 768-d tokens): {Tiny.Count(model):N0} parameters; with the released shared projection: {Tiny.Count(bug):N0}");
        const long layer = 19_720, norm = 80;
        long expected = 2 * (4 * layer + norm) + 2 * (768 * 40 + 40) + (2 * layer + norm) + 2 * (40 * 40 + 40) + 40 * 101 + 101;
        Assert.Equal(expected, Tiny.Count(model));
    }
}
