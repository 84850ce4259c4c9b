using Cggm.Models;
using Cggm.Models.Blocks;
using TorchSharp;
using Xunit.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Tests.Models;

[Collection(ModelCollection.Name)]
public class BratsDeepLabTests(ITestOutputHelper output)
{
    [Fact]
    public void Shapes_of_logits_features_and_classifiers()
    {
        torch.manual_seed(8);
        var inputs = Tiny.Brats(32);
        using var model = new BratsDeepLab(inputs, Tiny.Seg());
        var o = model.call(inputs.Select(_ => torch.randn(2, 1, 32, 32)).ToArray());
        Assert.Equal([2L, 4, 32, 32], o.Prediction.shape);
        Assert.Equal([2L, 8 + 4, 8, 8], o.Features[0].shape);   // [ASPP 8 | low-level 4·1] at 1/4 size
        Assert.Equal([2L, 8, 8, 8], o.Fused.shape);
        for (int i = 0; i < 4; i++)
        {
            using var f = model.CreateModalityClassifier(i);
            Assert.Equal([2L, 4, 32, 32], f.call(o.Features[i]).shape);
            Assert.Equal(model.HeadOutputWeight.shape, f.OutputWeight.shape);
        }
        Assert.Equal([4L, 8, 1, 1], model.HeadOutputWeight.shape);
    }

    [Fact]
    public void Resnet101_model_has_the_released_235_2_million_parameters_and_its_classifiers_5_2_million()
    {
        // Built on the meta device: shapes only, no memory, about a second.
        torch.set_default_device(torch.META);
        try
        {
            using var model = new BratsDeepLab(Tiny.Brats());
            using var classifier = model.CreateModalityClassifier(0);
            long total = Tiny.Count(model), classifiers = 4 * Tiny.Count(classifier);
            output.WriteLine($"BratsDeepLab ResNet-101: {total:N0} parameters ({total / 1e6:F1} M; paper note: 235.2 M); 4 classifiers: {classifiers:N0} ({classifiers / 1e6:F1} M; 5.2 M)");
            Assert.Equal(235_226_980, total);       // DeepLabMultiInput(output_stride=16, num_classes=4): the closed-form count of the released modules (235.2 M in the research note)
            Assert.Equal(5_218_704, classifiers);   // SegClassifier(num_classes=4), closed form (5.2 M in the research note)
            foreach (var depth in new[] { ResNetDepth.ResNet50, ResNetDepth.ResNet18 })
            {
                using var other = new BratsDeepLab(Tiny.Brats(), new BratsDeepLabOptions { Depth = depth });
                output.WriteLine($"BratsDeepLab {depth}: {Tiny.Count(other):N0} parameters");
            }
        }
        finally
        {
            torch.set_default_device(torch.CPU);
        }
    }

    [Fact]
    public void Init_follows_the_released_code()
    {
        torch.manual_seed(9);
        using var backbone = new ResNetBackbone(ResNetDepth.ResNet50, 1, 16);
        var convs = backbone.modules().OfType<Conv2d>().ToArray();
        var big = convs.MaxBy(c => c.weight!.numel())!.weight!;   // a 3×3 conv of layer4 (512 → 512)
        double std = big.std().item<float>(), expected = Math.Sqrt(2.0 / (big.shape[2] * big.shape[3] * big.shape[0]));
        Assert.InRange(std / expected, 0.98, 1.02);
        Assert.All(backbone.modules().OfType<BatchNorm2d>(), bn => Assert.Equal(1f, bn.weight!.min().item<float>()));

        using var aspp = new Aspp(512, 256, [2, 4, 6], 0.5);
        var w = aspp.modules().OfType<Conv2d>().First(c => c.weight!.shape[2] == 3).weight!;   // Kaiming-normal: std √(2 / fan_in)
        Assert.InRange(w.std().item<float>() / Math.Sqrt(2.0 / (512 * 9)), 0.98, 1.02);
    }

    [Fact]
    public void Output_stride_16_gives_a_1_16_map_and_layer1_a_1_4_map()
    {
        torch.manual_seed(10);
        using var backbone = new ResNetBackbone(ResNetDepth.ResNet18, 1, 16, width: 4);
        var (high, low) = backbone.call(torch.randn(2, 1, 64, 64));
        Assert.Equal([2L, 32, 4, 4], high.shape);
        Assert.Equal([2L, 4, 16, 16], low.shape);
        using var stride8 = new ResNetBackbone(ResNetDepth.ResNet18, 1, 8, width: 4);
        Assert.Equal([2L, 32, 8, 8], stride8.call(torch.randn(2, 1, 64, 64)).High.shape);
    }

    [Fact]
    public void Bad_inputs_throw_argument_errors()
    {
        using var model = new BratsDeepLab(Tiny.Brats(32), Tiny.Seg());
        Assert.Throws<ArgumentException>(() => model.Encoder(0).call(torch.randn(2, 1, 30, 32)));
        Assert.Throws<ArgumentException>(() => model.Encoder(0).call(torch.randn(2, 2, 32, 32)));
        Assert.Throws<ArgumentException>(() => model.call(Tiny.Brats(32).Select(_ => torch.randn(2, 1, 16, 16)).ToArray()));
        Assert.Throws<ArgumentException>(() => model.Fusion.call([torch.randn(2, 12, 8, 8)]));
        Assert.Throws<ArgumentException>(() => new BratsDeepLab([new("flair", [1, 30, 30])], Tiny.Seg()));
        Assert.Throws<ArgumentException>(() => new Aspp(8, 8, [2, 4], 0.5));
    }
}
