using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class MslrTests
{
    [Fact]
    public void Dynamic_rate_is_the_initial_rate_times_the_validation_trend()
    {
        // r_0 = [1, 2], window 5; ε history of modality 0: 0.5, 0.5, 0.6, 0.6, 0.8 then 0.75 now:
        // mean of the previous five = 3.0/5 = 0.6 → r = 1·0.75/0.6 = 1.25; modality 1: 0.4 everywhere → 2·1 = 2
        var history = new[] { 0.5, 0.5, 0.6, 0.6, 0.8, 0.75 }.Select(e => new[] { e, 0.4 }).ToList();
        var r = ModalitySpecificLearningRates.DynamicMultipliers([1, 2], history, 5);
        Assert.Equal(1.25, r[0], 12);
        Assert.Equal(2.0, r[1], 12);
        // Fewer than window + 1 epochs: the initial rates.
        Assert.Equal(new[] { 1.0, 2.0 }, ModalitySpecificLearningRates.DynamicMultipliers([1, 2], history.Take(5).ToList(), 5));
    }

    [Fact]
    public void Smooth_moves_rates_toward_their_mean()
    {
        // r = [1, 3], mean 2, s = 0.5 → [1.5, 2.5]
        Assert.Equal(new[] { 1.5, 2.5 }, ModalitySpecificLearningRates.BaseMultipliers(MslrStrategy.Smooth, [1, 3], 0.5));
        Assert.Equal(new[] { 1.0, 3.0 }, ModalitySpecificLearningRates.BaseMultipliers(MslrStrategy.Keep, [1, 3], 0.5));
    }

    [Fact]
    public void Update_scaling_is_a_learning_rate_multiplier()
    {
        // θ_old = 1, θ_new = 0.8 (update −0.2), r = 1.5 → 1 − 0.3 = 0.7
        using var before = tensor(new float[] { 1 });
        using var after = tensor(new float[] { 0.8f });
        ModalitySpecificLearningRates.ScaleUpdate(after, before, 1.5);
        Assert.Equal(0.7f, after.item<float>(), 5);
    }
}
