using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class AgmTests
{
    [Fact]
    public void Shapley_weights_sum_to_one_per_modality()
    {
        // M = 3: coalitions without m have sizes 0, 1, 1, 2 with weights 1/3, 1/6, 1/6, 1/3
        Assert.Equal(1.0 / 3, Agm.ShapleyWeight(0, 3), 12);
        Assert.Equal(1.0 / 6, Agm.ShapleyWeight(1, 3), 12);
        Assert.Equal(1.0 / 3, Agm.ShapleyWeight(2, 3), 12);
    }

    [Fact]
    public void Two_modality_responses_are_the_released_halves_and_sum_to_the_full_output()
    {
        // F(∅) = 1, F(a) = 4, F(v) = 2, F(av) = 7 (bit 0 = a, bit 1 = v):
        // o_a = F(∅)/2 + ½(F(a) − F(∅)) + ½(F(av) − F(v)) = 0.5 + 1.5 + 2.5 = 4.5 = ½(F(av) − F(v) + F(a))
        // o_v = 0.5 + ½(F(v) − F(∅)) + ½(F(av) − F(a)) = 0.5 + 0.5 + 1.5 = 2.5;  o_a + o_v = 7 = F(av)
        var f = new[] { 1f, 4f, 2f, 7f }.Select(v => tensor(new[] { v })).ToArray();
        Assert.Equal(4.5f, Agm.Response(f, 0, 2).item<float>(), 5);
        Assert.Equal(2.5f, Agm.Response(f, 1, 2).item<float>(), 5);
    }

    [Fact]
    public void Three_modality_responses_sum_to_the_full_output()
    {
        // F over bitmasks 0..7 = [0, 1, 2, 4, 3, 5, 6, 10]; efficiency: Σ_m o_m = F(N) = 10 (F(∅) = 0)
        // o_0 = ⅓(F(1) − F(0)) + ⅙(F(3) − F(2)) + ⅙(F(5) − F(4)) + ⅓(F(7) − F(6)) = ⅓ + ⅓ + ⅓ + 4/3 = 7/3
        var f = new[] { 0f, 1f, 2f, 4f, 3f, 5f, 6f, 10f }.Select(v => tensor(new[] { v })).ToArray();
        Assert.Equal(7.0 / 3, Agm.Response(f, 0, 3).item<float>(), 5);
        Assert.Equal(10f, Enumerable.Range(0, 3).Sum(m => Agm.Response(f, m, 3).item<float>()), 4);
    }

    [Fact]
    public void Coefficients_compare_current_and_running_ratios()
    {
        // s = [0.5, 1.2], S̄ = [0.6, 0.9], M = 2 (factor 2), α = 1:
        // r = [exp(2(0.85 − 0.5)), exp(2(0.85 − 1.2))] = [exp(0.7), exp(−0.7)] = [2.013753, 0.496585]
        // r̄ = [exp(0.3), exp(−0.3)] = [1.349859, 0.740818]
        // k = [exp(1.349859 − 2.013753), exp(0.740818 − 0.496585)] = [0.5148426, 1.2766416]
        var (k, r, target) = Agm.Coefficients([0.5, 1.2], [0.6, 0.9], 1.0, 10);
        Assert.Equal(2.0137527, r[0], 6);
        Assert.Equal(0.4965853, r[1], 6);
        Assert.Equal(1.3498588, target[0], 6);
        Assert.Equal(0.5148426, k[0], 6);
        Assert.Equal(1.2766416, k[1], 6);
        // The cap: with c = 0.1, k_1 = exp(min(0.244233, 0.1)) = exp(0.1) = 1.105171
        Assert.Equal(1.1051709, Agm.Coefficients([0.5, 1.2], [0.6, 0.9], 1.0, 0.1).K[1], 6);
    }

    [Fact]
    public void Modulated_output_keeps_the_value_and_scales_each_response_gradient()
    {
        // ŷ = Σ k_m o_m + (1 − k_m) sg(o_m) with o = [2, 3], k = [0.5, 2]: value 5, ∂ŷ/∂o = [0.5, 2]
        using var o0 = tensor(new[] { 2f }).requires_grad_(true);
        using var o1 = tensor(new[] { 3f }).requires_grad_(true);
        var y = Agm.Modulate([o0, o1], [0.5, 2]);
        Assert.Equal(5f, y.item<float>(), 5);
        y.backward();
        Assert.Equal(0.5f, o0.grad!.item<float>(), 5);
        Assert.Equal(2f, o1.grad!.item<float>(), 5);
    }
}
