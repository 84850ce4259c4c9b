using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class GreedyTests
{
    [Fact]
    public void Conditional_learning_speed_picks_the_modality_leaning_on_the_bypass()
    {
        // bypass_0 = 0.04/4 = 0.01, main_0 = 0.01/10 = 0.001 → BDR_0 = log10(10) = 1
        // bypass_1 = 0.02/4 = 0.005, main_1 = 0.05/10 = 0.005 → BDR_1 = log10(1) = 0
        // spread 1 > ε = 0.01 → re-balance for modality 0 (released: d = BDR_0 − BDR_1 > 0 → caring_modality 0)
        var bdr = Greedy.ConditionalLearningSpeed([0.01, 0.005], [0.001, 0.005]);
        Assert.Equal(1.0, bdr[0], 12);
        Assert.Equal(0.0, bdr[1], 12);
        Assert.Equal(0, Greedy.Caring(bdr, 0.01));
        Assert.Null(Greedy.Caring([0.3, 0.305], 0.01));
    }

    [Fact]
    public void Relative_gradient_size_is_squared_gradient_over_squared_weight()
    {
        // θ = [1, 2] (‖θ‖² = 5), ∇θ = [0.5, 0] (‖∇θ‖² = 0.25): 0.25/5 = 0.05
        using var p = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, 2 }));
        p.grad = tensor(new float[] { 0.5f, 0 });
        Assert.Equal(0.05, Greedy.RelativeGradientSize([p]), 6);
    }

    [Fact]
    public void Mmtm_gates_features_and_rebalancing_uses_the_running_gate()
    {
        // Zero weights: every gate is σ(0) = ½, so h̃ = h/2. The running average after one training forward is ½.
        using var block = new MmtmBlock([2, 3]);
        using (no_grad()) foreach (var p in block.parameters()) p.zero_();
        var h = new[] { tensor(new float[] { 2, 4 }, [1, 2]), tensor(new float[] { 6, 8, 10 }, [1, 3]) };
        var y = block.call(h);
        Assert.Equal(new[] { 1.0, 2.0 }, MethodTestKit.Values(y[0].reshape(-1)));
        Assert.Equal(0.5, MethodTestKit.Values(block.RunningGates[1])[2], 6);
        // Re-balancing for modality 1 with a changed excitation bias: modality 1 keeps the running gate ½,
        // modality 0 follows its own new gate σ(ln 3) = 0.75.
        using (no_grad()) foreach (var (name, p) in block.named_parameters()) if (name.EndsWith("0.bias")) p.fill_(Math.Log(3));
        block.Caring = 1;
        var z = block.call(h);
        Assert.Equal(new[] { 1.5, 3.0 }, MethodTestKit.Values(z[0].reshape(-1)).Select(v => Math.Round(v, 5)));
        Assert.Equal(new[] { 3.0, 4.0, 5.0 }, MethodTestKit.Values(z[1].reshape(-1)).Select(v => Math.Round(v, 5)));
    }
}
