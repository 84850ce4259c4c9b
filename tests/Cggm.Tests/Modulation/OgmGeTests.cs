using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class OgmGeTests
{
    [Fact]
    public void Score_is_the_summed_true_class_probability()
    {
        // logits [[2, 0], [0, 1]], labels [0, 1]: e²/(e²+1) + e/(1+e) = 0.880797 + 0.731059 = 1.611856
        using var logits = tensor(new float[] { 2, 0, 0, 1 }, [2, 2]);
        using var labels = tensor(new long[] { 0, 1 });
        Assert.Equal(1.611856, ZeroMasking.TrueClassScore(logits, labels).item<float>(), 5);
    }

    [Fact]
    public void Two_modalities_slow_only_the_dominant_one()
    {
        // s = [30, 10]: ρ = [3, 1/3]; α = 0.5: k_0 = 1 − tanh(1.5) = 0.094852, k_1 = 1 (ρ_1 < 1)
        using var scores = tensor(new double[] { 30, 10 });
        var ratios = MethodTestKit.Values(OgmGe.Ratios(scores));
        Assert.Equal(3.0, ratios[0], 12);
        Assert.Equal(1.0 / 3, ratios[1], 12);
        var k = MethodTestKit.Values(OgmGe.Coefficients(OgmGe.Ratios(scores), 0.5));
        Assert.Equal(0.0948517, k[0], 6);
        Assert.Equal(1.0, k[1], 12);
    }

    [Fact]
    public void Three_modalities_average_the_pairwise_ratios()
    {
        // s = [2, 1, 4]: ρ_0 = (2/1 + 2/4)/2 = 1.25, ρ_1 = (1/2 + 1/4)/2 = 0.375, ρ_2 = (4/2 + 4/1)/2 = 3
        // α = 0.5: k_0 = 1 − tanh(0.625) = 0.445400, k_1 = 1, k_2 = 1 − tanh(1.5) = 0.094852
        using var scores = tensor(new double[] { 2, 1, 4 });
        var ratios = MethodTestKit.Values(OgmGe.Ratios(scores));
        Assert.Equal(new[] { 1.25, 0.375, 3.0 }, ratios.Select(r => Math.Round(r, 12)));
        var k = MethodTestKit.Values(OgmGe.Coefficients(OgmGe.Ratios(scores), 0.5));
        Assert.Equal(0.4454003, k[0], 6);
        Assert.Equal(1.0, k[1], 12);
        Assert.Equal(0.0948517, k[2], 6);
    }
}
