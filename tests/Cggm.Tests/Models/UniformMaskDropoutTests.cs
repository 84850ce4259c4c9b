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
    public void A_probability_outside_zero_to_one_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new UniformMaskDropout(1.0));
}
