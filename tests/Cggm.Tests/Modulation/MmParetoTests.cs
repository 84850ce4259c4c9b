using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class MmParetoTests
{
    [Fact]
    public void Conflicting_gradients_take_the_min_norm_weights_and_the_summed_magnitude()
    {
        // g_m = [1, 0], g_u = [−1, 1]: cos < 0, α_m = ((g_u − g_m)·g_u)/‖g_m − g_u‖² = ([−2, 1]·[−1, 1])/5 = 0.6
        // h′ = 2(0.6·[1, 0] + 0.4·[−1, 1]) = [0.4, 0.8], ‖h′‖ = √0.8, ‖g_m + g_u‖ = ‖[0, 1]‖ = 1, γ = 1.5
        // h = 1.5·[0.4, 0.8]/√0.8 = [0.670820, 1.341641]
        using var gm = tensor(new float[] { 1, 0 });
        using var gu = tensor(new float[] { -1, 1 });
        var (h, alpha) = MmPareto.Integrate(gm, gu, 1.5);
        Assert.Equal(0.6, alpha, 5);
        var v = MethodTestKit.Values(h);
        Assert.Equal(0.670820, v[0], 5);
        Assert.Equal(1.341641, v[1], 5);
    }

    [Fact]
    public void Agreeing_gradients_are_summed_and_scaled_by_gamma()
    {
        // g_m = [1, 0], g_u = [1, 1]: cos > 0, α = ½, h′ = g_m + g_u = [2, 1], ‖h′‖ = ‖g_m + g_u‖, h = 1.5·[2, 1] = [3, 1.5]
        using var gm = tensor(new float[] { 1, 0 });
        using var gu = tensor(new float[] { 1, 1 });
        var (h, alpha) = MmPareto.Integrate(gm, gu, 1.5);
        Assert.Equal(0.5, alpha);
        Assert.Equal(new[] { 3.0, 1.5 }, MethodTestKit.Values(h).Select(x => Math.Round(x, 5)));
    }
}
