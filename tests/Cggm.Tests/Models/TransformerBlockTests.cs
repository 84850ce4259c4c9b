using Cggm.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;
using TransformerEncoder = Cggm.Models.Blocks.TransformerEncoder;

namespace Cggm.Tests.Models;

[Collection(ModelCollection.Name)]
public class TransformerBlockTests
{
    [Fact]
    public void Positions_follow_the_fairseq_sinusoid_table()
    {
        using var table = SinusoidalPositionalEmbedding.Table(4, 8);
        // half = 4, ω_k = exp(−k·ln(10000)/3); position 2: [sin 2ω_0..sin 2ω_3 | cos 2ω_0..cos 2ω_3]
        var row = table[2].data<float>().ToArray();
        for (int k = 0; k < 4; k++)
        {
            double w = Math.Exp(-k * Math.Log(10000) / 3);
            Assert.Equal(Math.Sin(2 * w), row[k], 5);
            Assert.Equal(Math.Cos(2 * w), row[4 + k], 5);
        }
        Assert.All(table[0].data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_step_whose_first_feature_is_zero_gets_the_zero_position_and_the_others_keep_their_index()
    {
        using var pe = new SinusoidalPositionalEmbedding(8);
        using var x = torch.ones(1, 3, 5);
        x[0, 1, 0] = torch.tensor(0f);   // step 1 is "padding" by the released rule; its other features do not matter
        using var got = pe.call(x);
        using var table = SinusoidalPositionalEmbedding.Table(4, 8);
        Assert.True(got[0, 0].allclose(table[1]));
        Assert.True(got[0, 1].allclose(torch.zeros(8)));
        Assert.True(got[0, 2].allclose(table[3]));   // not renumbered: step 2 is still position 3
    }

    [Fact]
    public void An_odd_width_gets_a_zero_last_column()
    {
        using var table = SinusoidalPositionalEmbedding.Table(5, 9);
        Assert.True(table.select(1, 8).allclose(torch.zeros(5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SinusoidalPositionalEmbedding(3));
    }

    [Fact]
    public void Self_attention_matches_a_hand_computed_softmax_attention_and_the_released_init()
    {
        torch.manual_seed(1);
        using var attention = new MultiheadSelfAttention(4, 2, 0.0);
        attention.eval();
        var p = attention.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        Assert.True(p["inProjBias"].allclose(torch.zeros(12)));
        Assert.True(p["outProj.bias"].allclose(torch.zeros(4)));
        double bound = Math.Sqrt(6.0 / (4 + 12));   // Xavier-uniform bound of a [12, 4] weight
        Assert.True(p["inProjWeight"].abs().max().item<float>() <= bound);

        using var x = torch.randn(2, 3, 4);
        using var got = attention.call(x);
        var w = p["inProjWeight"];
        var heads = new List<Tensor>();
        for (int h = 0; h < 2; h++)
        {
            var q = x.matmul(w.narrow(0, 2 * h, 2).t()) / Math.Sqrt(2);
            var k = x.matmul(w.narrow(0, 4 + 2 * h, 2).t());
            var v = x.matmul(w.narrow(0, 8 + 2 * h, 2).t());
            heads.Add(nn.functional.softmax(q.matmul(k.transpose(1, 2)), -1).matmul(v));
        }
        var expected = torch.cat(heads.ToArray(), -1).matmul(p["outProj.weight"].t());
        Assert.True(got.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {(got - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void An_encoder_without_layers_is_layer_norm_of_scaled_input_plus_positions()
    {
        torch.manual_seed(2);
        using var encoder = new TransformerEncoder(8, 2, 0, Tiny.NoDropout);
        using var x = torch.randn(2, 5, 8);
        using var pe = new SinusoidalPositionalEmbedding(8);
        var expected = nn.functional.layer_norm(Math.Sqrt(8) * x + pe.call(x), [8]);
        Assert.True(encoder.call(x).allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void The_first_token_path_gives_the_full_forwards_token_0_and_the_same_gradients(int layers)
    {
        torch.manual_seed(3);
        using var encoder = new TransformerEncoder(8, 2, layers, Tiny.NoDropout);   // training mode, p = 0: deterministic
        using var weights = torch.randn(8);
        var input = torch.randn(3, 6, 8);

        (Tensor Output, Tensor[] Gradients) Run(Func<Tensor, Tensor> firstToken)
        {
            encoder.zero_grad();
            var x = input.detach().clone().requires_grad_(true);
            var output = firstToken(x);
            (output * weights).sum().backward();
            return (output.detach(), [x.grad!.clone(), .. encoder.parameters().Select(p => p.grad is null ? torch.zeros_like(p) : p.grad.clone())]);
        }

        var full = Run(x => encoder.call(x).select(1, 0));
        var first = Run(encoder.ForwardFirstToken);
        Assert.Equal([3L, 8L], first.Output.shape);
        Assert.True(first.Output.allclose(full.Output, rtol: 1e-5, atol: 1e-6), $"max diff {(first.Output - full.Output).abs().max().item<float>()}");
        Assert.Equal(full.Gradients.Length, first.Gradients.Length);
        for (int i = 0; i < full.Gradients.Length; i++)
            Assert.True(first.Gradients[i].allclose(full.Gradients[i], rtol: 1e-4, atol: 1e-6), $"gradient {i}: max diff {(first.Gradients[i] - full.Gradients[i]).abs().max().item<float>()}");
        // The input's later positions still matter (they are keys and values of the last layer), unless there is no layer.
        Assert.Equal(layers > 0, first.Gradients[0].narrow(1, 1, 5).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Attention_for_the_first_positions_equals_those_rows_of_the_full_attention()
    {
        torch.manual_seed(4);
        using var attention = new MultiheadSelfAttention(8, 2, 0.0);
        using var x = torch.randn(2, 5, 8);
        using var full = attention.call(x);
        using var first = attention.ForwardFirst(x, 2);
        Assert.Equal([2L, 2L, 8L], first.shape);
        Assert.True(first.allclose(full.narrow(1, 0, 2), rtol: 1e-5, atol: 1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => attention.ForwardFirst(x, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => attention.ForwardFirst(x, 6));
    }

    [Fact]
    public void Wrong_widths_throw_before_reaching_native_matmul()
    {
        using var attention = new MultiheadSelfAttention(8, 2, 0.0);
        using var encoder = new TransformerEncoder(8, 2, 1, Tiny.NoDropout);
        Assert.Throws<ArgumentException>(() => attention.call(torch.randn(2, 3, 6)));
        Assert.Throws<ArgumentException>(() => attention.call(torch.randn(3, 8)));
        Assert.Throws<ArgumentException>(() => encoder.call(torch.randn(2, 3, 7)));
        Assert.Throws<ArgumentException>(() => new MultiheadSelfAttention(10, 3, 0.0));
    }
}
