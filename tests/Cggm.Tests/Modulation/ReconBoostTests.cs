using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class ReconBoostTests
{
    [Fact]
    public void Reconcilement_loss_discounts_what_the_other_learners_already_predict()
    {
        // K = 2, learner logits [0, 0] → log p = [−ln 2, −ln 2]; y = 0; others [2, 0] → q_0 = e²/(e²+1) = 0.880797
        // ℓ = −5·(−ln 2)/2 + 1·(0.880797·(−ln 2))/2 = 1.732868 − 0.305261 = 1.427607
        using var logits = zeros(1, 2);
        using var others = tensor(new float[] { 2, 0 }, [1, 2]);
        using var labels = tensor(new long[] { 0 });
        Assert.Equal(1.427607, ReconBoost.ReconcilementLoss(logits, others, labels, 5, 1).item<float>(), 5);
        // No other learner yet: q uniform (½) → −5·(−ln 2)/2 + (½·(−ln 2))/2 = 1.732868 − 0.173287 = 1.559581
        Assert.Equal(1.559581, ReconBoost.ReconcilementLoss(logits, null, labels, 5, 1).item<float>(), 5);
    }

    [Fact]
    public void Schedule_alternates_modalities_in_stages_of_two_phases()
    {
        // E_s = 4, E_c = 4: epochs 0–3 learner 0, 4–7 rectification, 8–11 learner 1, …, 16 learner 0 again
        using var method = new ReconBoost();
        Assert.Equal((0, 0, false), method.Schedule(3, 2));
        Assert.Equal((0, 0, true), method.Schedule(4, 2));
        Assert.Equal((1, 1, false), method.Schedule(8, 2));
        Assert.Equal((2, 0, false), method.Schedule(16, 2));
    }
}
