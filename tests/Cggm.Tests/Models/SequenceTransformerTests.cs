using Cggm.Data;
using Cggm.Models;
using Cggm.Models.Blocks;
using TorchSharp;
using Xunit.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Tests.Models;

[Collection(ModelCollection.Name)]
public class SequenceTransformerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("mosi", 1)]
    [InlineData("iemocap", 4)]
    public void Shapes_of_prediction_features_and_classifiers(string dataset, int outputs)
    {
        torch.manual_seed(3);
        var inputs = dataset == "mosi" ? Tiny.Mosi : Tiny.Iemocap;
        using var model = new SequenceTransformer(inputs, Tiny.Sequence(outputs));
        var xs = inputs.Select(m => torch.randn([3, .. m.Shape])).ToArray();
        var o = model.call(xs);
        Assert.Equal([3L, outputs], o.Prediction.shape);
        Assert.Equal([3L, 8], o.Fused.shape);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal([3L, inputs[i].Shape[0], 8], o.Features[i].shape);
            using var f = model.CreateModalityClassifier(i);
            Assert.Equal([3L, outputs], f.call(o.Features[i]).shape);
            Assert.Equal(model.HeadOutputWeight.shape, f.OutputWeight.shape);
        }
    }

    [Fact]
    public void Paper_size_parameter_counts()
    {
        using var mosi = new SequenceTransformer(Tiny.Mosi);
        using var iemocap = new SequenceTransformer(Tiny.Iemocap, new TransformerModelOptions { Outputs = 4, Layers = 4 });
        using var classifier = mosi.CreateModalityClassifier(0);
        long m = Tiny.Count(mosi), e = Tiny.Count(iemocap), c = Tiny.Count(classifier);
        output.WriteLine($"SequenceTransformer, MOSI (5 layers, d = 40, text 300 / audio 5 / vision 20): {m:N0} parameters; one classifier f_i: {c:N0}");
        output.WriteLine($"SequenceTransformer, IEMOCAP (4 layers, text 1024 / audio 130 / vision 342): {e:N0} parameters");
        // One layer of width 40: attention 4·40² + 4·40, feed-forward 8·40² + 5·40, two LayerNorms 4·40 = 19,720.
        const long layer = 19_720, norm = 80;
        long encoders = 3 * (5 * layer + norm) + (300 + 5 + 20) * 40 + 3 * 40;
        long fusion = 3 * layer + norm, head = 2 * (40 * 40 + 40) + 41;
        Assert.Equal(encoders + fusion + head, m);
        Assert.Equal(2 * layer + norm + 40 * 40 + 40 + 41, c);
    }

    [Fact]
    public void Encoder_parameters_leave_out_the_input_projection_unless_asked()
    {
        using var released = new SequenceTransformer(Tiny.Mosi, Tiny.Sequence(1));
        using var scaled = new SequenceTransformer(Tiny.Mosi, Tiny.Sequence(1) with { ScaleInputProjections = true });
        long projection = 300 * 8 + 8;
        Assert.Equal(Tiny.Count(released.Encoder(0)) - projection, released.EncoderParameters(0).Sum(p => p.numel()));
        Assert.Equal(Tiny.Count(scaled.Encoder(0)), scaled.EncoderParameters(0).Sum(p => p.numel()));
        var projectionWeight = ((SequenceEncoder)released.Encoder(0)).Projection.weight!;
        Assert.DoesNotContain(released.EncoderParameters(0), p => ReferenceEquals(p, projectionWeight));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_classifier_applies_proj1_twice_only_in_the_released_mode(bool repeat)
    {
        torch.manual_seed(4);
        using var f = new TransformerModalityClassifier(8, 2, 1, 3, Tiny.NoDropout, repeat);
        f.eval();
        var modules = f.named_children().ToDictionary(c => c.name, c => c.module);
        var bone = (Cggm.Models.Blocks.TransformerEncoder)modules["bone"];
        var proj1 = (Linear)modules["proj1"];
        var outLayer = (Linear)modules["outLayer"];
        using var h = torch.randn(2, 5, 8);
        var first = bone.call(h).select(1, 0);
        var expected = outLayer.call(nn.functional.relu(proj1.call(repeat ? proj1.call(first) : first)));
        Assert.True(f.call(h).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Sequences_of_any_length_are_accepted_when_the_dataset_declares_minus_one()
    {
        torch.manual_seed(5);
        ModalityInfo[] inputs = [new("text", [-1, 6]), new("audio", [-1, 3])];
        using var model = new SequenceTransformer(inputs, Tiny.Sequence(2));
        var o = model.call([torch.randn(2, 7, 6), torch.randn(2, 11, 3)]);
        Assert.Equal([2L, 2], o.Prediction.shape);
        Assert.Equal([2L, 11, 8], o.Features[1].shape);
    }

    [Fact]
    public void Bad_inputs_throw_argument_errors_instead_of_aborting()
    {
        using var model = new SequenceTransformer(Tiny.Mosi, Tiny.Sequence(1));
        var wrongWidth = Tiny.Mosi.Select(m => torch.randn([2, .. m.Shape])).ToArray();
        wrongWidth[1] = torch.randn(2, 50, 6);
        var e = Assert.Throws<ArgumentException>(() => model.call(wrongWidth));
        Assert.Contains("audio", e.Message);
        Assert.Throws<ArgumentException>(() => model.call([torch.randn(2, 50, 300)]));
        Assert.Throws<ArgumentException>(() => model.Encoder(0).call(torch.randn(2, 50, 301)));
        Assert.Throws<ArgumentException>(() => model.Fusion.call([torch.randn(2, 4, 8), torch.randn(3, 4, 8)]));
        Assert.Throws<ArgumentException>(() => model.Head.call(torch.randn(2, 9)));
        using var f = model.CreateModalityClassifier(0);
        Assert.Throws<ArgumentException>(() => f.call(torch.randn(2, 8)));
        Assert.Throws<ArgumentException>(() => new SequenceTransformer([new("x", [300])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceTransformer(Tiny.Mosi, Tiny.Sequence(1) with { Heads = 3 }));
    }
}
