using Cggm.Modulation;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class GradientBlendingTests
{
    [Fact]
    public void Weights_are_gain_over_squared_overfitting_normalised()
    {
        // ΔG = [0.2, 0.1, 0.3], ΔO = [0.1, 0.2, 0.3]: raw = [20, 2.5, 3.333…], Z = 25.8333 → [0.774194, 0.096774, 0.129032]
        var w = GradientBlending.BlendWeights([0.2, 0.1, 0.3], [0.1, 0.2, 0.3]);
        Assert.Equal(0.774194, w[0], 5);
        Assert.Equal(0.096774, w[1], 5);
        Assert.Equal(0.129032, w[2], 5);
        // A head that stopped generalising (ΔG ≤ 0) gets 0; when none generalises the weights are uniform.
        Assert.Equal(0.0, GradientBlending.BlendWeights([-0.1, 0.2], [0.1, 0.1])[0]);
        Assert.Equal(new[] { 0.5, 0.5 }, GradientBlending.BlendWeights([-0.1, 0], [0.1, 0.1]));
    }

    [Fact]
    public void Ogr_terms_follow_equation_3()
    {
        // 𝓛_T: 1.0 → 0.5, 𝓛_V: 1.2 → 0.9: ΔG = 1.2 − 0.9 = 0.3; O: 0.2 → 0.4, ΔO = 0.2
        var (gain, overfit) = GradientBlending.Ogr(1.0, 1.2, 0.5, 0.9);
        Assert.Equal(0.3, gain, 12);
        Assert.Equal(0.2, overfit, 12);
    }

    [Fact]
    public void Online_super_epochs_start_after_the_warm_up()
    {
        using var method = new GradientBlending(new GradientBlendingOptions { WarmupSuperEpoch = 10, SuperEpoch = 5 });
        Assert.Equal(new[] { 0, 10, 15, 20 }, Enumerable.Range(0, 22).Where(method.StartsSuperEpoch));
        using var offline = new GradientBlending(new GradientBlendingOptions { Online = false });
        Assert.Equal(new[] { 0 }, Enumerable.Range(0, 22).Where(offline.StartsSuperEpoch));
    }
}
