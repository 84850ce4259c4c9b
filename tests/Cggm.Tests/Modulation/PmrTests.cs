using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class PmrTests
{
    [Fact]
    public void Prototype_probabilities_are_a_softmax_over_negative_euclidean_distances()
    {
        // h = (0, 0), c_0 = (3, 4), c_1 = (0, 1): d = [5, 1], p = softmax([−5, −1]) = [0.017986, 0.982014]
        using var h = zeros(1, 2);
        using var c = tensor(new float[] { 3, 4, 0, 1 }, [2, 2]);
        var logits = Pmr.PrototypeLogits(h, c);
        Assert.Equal(new[] { -5.0, -1.0 }, MethodTestKit.Values(logits).Select(v => Math.Round(v, 5)));
        var p = MethodTestKit.Values(nn.functional.softmax(logits, 1));
        Assert.Equal(0.017986, p[0], 5);
        Assert.Equal(0.982014, p[1], 5);
    }

    [Fact]
    public void Slow_modality_is_accelerated_and_fast_one_regularized()
    {
        // s = [30, 20]: ρ = 1.5 ≥ 1, so (Eq. 11) β = 0 on modality 0, γ = clip(ρ − 1) = 0.5 on modality 1's PCE;
        // PER (Eq. 13) weighs H(p^0) by γ = 0.5 and H(p^1) by β = 0.
        var (accelerate, regularize) = Pmr.Coefficients([30, 20]);
        Assert.Equal(new[] { 0.0, 0.5 }, accelerate);
        Assert.Equal(new[] { 0.5, 0.0 }, regularize);
        // s = [10, 40]: ρ = 0.25, β = clip(1/ρ − 1) = clip(3) = 1 on modality 0
        Assert.Equal(new[] { 1.0, 0.0 }, Pmr.Coefficients([10, 40]).Accelerate);
    }

    [Fact]
    public void Entropy_of_a_uniform_prediction_is_log_classes()
    {
        using var logits = zeros(3, 4);
        Assert.Equal(Math.Log(4), Pmr.Entropy(logits).item<float>(), 5);
    }
}
