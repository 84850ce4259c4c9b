using Cggm.Models.Blocks;
using TorchSharp;

namespace Cggm.Tests.Models;

public class UniformMaskDropoutTests
{
    [Fact]
    public void Keeps_each_element_with_probability_one_minus_p_and_rescales_it()
    {
        torch.manual_seed(3);
        var dropout = new UniformMaskDropout(0.15);
        dropout.train();
        var x = torch.ones(1_000_000);
        var y = dropout.call(x);
        double zeros = y.eq(0).to(torch.ScalarType.Float64).mean().item<double>();
        Assert.InRange(zeros, 0.15 - 0.002, 0.15 + 0.002);                         // ±5.6σ of a binomial(1e6, 0.15) fraction
        Assert.Equal(1 / 0.85, y.max().item<float>(), 5);                           // kept elements are scaled by 1/(1 − p)
        Assert.InRange(y.mean().item<float>(), 0.995, 1.005);                       // the expectation is preserved
    }

    [Fact]
    public void Passes_the_input_unchanged_in_evaluation_and_at_p_zero()
    {
        var x = torch.randn(5, 7);
        var dropout = new UniformMaskDropout(0.5);
        dropout.eval();
        Assert.True(TestData.Same(x, dropout.call(x)));
        var none = new UniformMaskDropout(0);
        none.train();
        Assert.True(TestData.Same(x, none.call(x)));
    }

    [Fact]
    public void Is_reproducible_from_the_seed_and_sends_gradient_through_the_mask_only()
    {
        var dropout = new UniformMaskDropout(0.3);
        dropout.train();
        torch.manual_seed(11);
        var a = dropout.call(torch.ones(100));
        torch.manual_seed(11);
        var x = torch.ones(100, requires_grad: true);
        var b = dropout.call(x);
        Assert.True(TestData.Same(a, b));
        b.sum().backward();
        Assert.True(TestData.Same(x.grad!, b.detach()));                            // ∂/∂x of Σ x·m/(1−p) = m/(1−p)
    }

    [Fact]
    public void SplitMix64_gives_its_published_first_outputs()
    {
        // SplitMix64 seeded with 0: the reference implementation's first outputs (Vigna, prng.di.unimi.it/splitmix64.c).
        Assert.Equal(0xE220A8397B1DCDAFUL, SplitMixMask.Mix(0x9E3779B97F4A7C15UL));
        Assert.Equal(0x6E789E6AA1B965F4UL, SplitMixMask.Mix(unchecked(2 * 0x9E3779B97F4A7C15UL)));
        Assert.Equal(0u, SplitMixMask.Threshold(0));
        Assert.Equal(644245094u, SplitMixMask.Threshold(0.15));                     // round(0.15 · 2³²) = round(644245094.4)
    }

    [Fact]
    public void A_mask_is_the_stream_read_two_elements_per_output_over_its_whole_length()
    {
        const ulong start = 12345;
        uint threshold = SplitMixMask.Threshold(0.4);
        var big = torch.empty(1_000_001);                                           // an odd tail
        SplitMixMask.Fill(big, start, threshold, 2f);
        var values = big.data<float>().ToArray();
        foreach (long j in Enumerable.Range(0, 2_001).Select(i => (long)i).Concat([262_143, 262_144, 262_145, 999_999, 1_000_000]))
        {                                                                           // the vector body, its seams, the tails
            ulong z = SplitMixMask.Mix(start + (ulong)(j / 2 + 1) * 0x9E3779B97F4A7C15UL);
            uint u = j % 2 == 0 ? (uint)z : (uint)(z >> 32);
            Assert.Equal(u >= threshold ? 2f : 0f, values[j]);
        }
        // Adjacent elements share an output but use independent halves: both dropped with probability p² = 0.16.
        var dropped = big.narrow(0, 0, 1_000_000).eq(0).to(torch.ScalarType.Float64).reshape(500_000, 2);
        double bothDropped = (dropped.select(1, 0) * dropped.select(1, 1)).mean().item<double>();
        Assert.InRange(bothDropped, 0.16 - 0.0025, 0.16 + 0.0025);                  // ±6.8σ of a binomial(5e5, 0.16) fraction
    }

    [Fact]
    public void The_fused_pass_gives_exactly_x_times_the_stored_mask_both_ways()
    {
        // Forward: y = x ⊙ m bit for bit, with NaN kept and −x·0 = −0 in dropped places, for a transposed (non-contiguous) x.
        var x = torch.randn(700, 900).t();
        x[3, 5] = torch.tensor(float.NaN);
        var dropout = new UniformMaskDropout(0.25);
        dropout.train();
        torch.manual_seed(21);
        var input = x.detach().requires_grad_(true);
        var y = dropout.call(input);
        torch.manual_seed(21);
        var mask = SplitMixMask.Create(x, 0.25);
        var expected = x.contiguous() * mask;
        Assert.Equal(Bits(expected), Bits(y));
        Assert.Contains(Bits(y), b => b == 0x8000_0000);                                // some −0 from a dropped negative element
        // Backward: ∂L/∂x = ∂L/∂y ⊙ m for an upstream gradient w.
        var w = torch.randn(900, 700);
        (y * w).sum().backward();
        Assert.Equal(Bits(w * mask), Bits(input.grad!));
    }

    [Fact]
    public void Gradients_stay_right_when_backward_runs_inside_dispose_scopes_step_after_step()
    {
        // The backward pass hands its gradient wrappers back early (the incoming one at once, the returned one at this
        // thread's next dropout backward): two steps of two stacked dropouts, each step in its own scope as the trainer runs.
        var dropout = new UniformMaskDropout(0.3);
        dropout.train();
        var x = torch.randn(4000, requires_grad: true);
        var w = torch.randn(4000);
        for (int step = 0; step < 2; step++)
        {
            x.grad?.zero_();
            torch.manual_seed(8 + step);
            using (torch.NewDisposeScope()) (dropout.call(dropout.call(x)) * w).sum().backward();
            torch.manual_seed(8 + step);
            var first = SplitMixMask.Create(x, 0.3);
            var second = SplitMixMask.Create(x, 0.3);
            Assert.True(TestData.Same(w * second * first, x.grad!));                   // equal as numbers: accumulating into zeros turns −0 into +0
        }
    }

    [Fact]
    public void The_gradient_through_dropout_can_be_differentiated_again()
    {
        // g = ∂(Σ y²)/∂x = 2·y ⊙ m = 2·x ⊙ m², so ∂(Σ g)/∂x = 2·m², as CGGM's second-order term needs (create_graph).
        var dropout = new UniformMaskDropout(0.5);
        dropout.train();
        var x = torch.randn(1000, requires_grad: true);
        torch.manual_seed(4);
        var y = dropout.call(x);
        var g = torch.autograd.grad([y.pow(2).sum()], [x], create_graph: true)[0];
        g.sum().backward();
        torch.manual_seed(4);
        var mask = SplitMixMask.Create(x, 0.5);
        Assert.True(TestData.Same(x.grad!, 2 * mask * mask));
    }

    private static uint[] Bits(torch.Tensor t) => t.detach().contiguous().data<float>().ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();

    [Fact]
    public void Successive_masks_differ_and_other_dtypes_use_torch_uniforms()
    {
        var dropout = new UniformMaskDropout(0.5);
        dropout.train();
        torch.manual_seed(5);
        var x = torch.ones(1000);
        Assert.False(TestData.Same(dropout.call(x), dropout.call(x)));
        var y = dropout.call(torch.ones(100_000, dtype: torch.ScalarType.Float64));
        Assert.Equal(torch.ScalarType.Float64, y.dtype);
        Assert.InRange(y.eq(0).to(torch.ScalarType.Float64).mean().item<double>(), 0.49, 0.51);
    }

    [Fact]
    public void A_probability_outside_zero_to_one_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new UniformMaskDropout(1.0));
}
