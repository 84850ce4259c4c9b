using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class QmfTests
{
    [Fact]
    public void Confidence_is_the_negative_energy_over_the_temperature()
    {
        // logsumexp([1, 2, 3]) = ln(e + e² + e³) = 3.407606; /10 = 0.340761
        using var logits = tensor(new float[] { 1, 2, 3 }, [1, 3]);
        Assert.Equal(0.340761, Qmf.Confidence(logits, 10).item<float>(), 5);
    }

    [Fact]
    public void Fusion_weighs_each_modality_by_its_confidence()
    {
        // f_0 = [1, 0] with w_0 = 2, f_1 = [0, 3] with w_1 = 0.5 → ŷ = [2, 1.5]
        using var f0 = tensor(new float[] { 1, 0 }, [1, 2]);
        using var f1 = tensor(new float[] { 0, 3 }, [1, 2]);
        using var w0 = tensor(new float[] { 2 }, [1, 1]);
        using var w1 = tensor(new float[] { 0.5f }, [1, 1]);
        Assert.Equal(new[] { 2.0, 1.5 }, MethodTestKit.Values(Qmf.Fuse([f0, f1], [w0, w1]).reshape(-1)));
    }

    [Fact]
    public void Ranking_loss_pushes_samples_with_more_history_loss_below_their_neighbour()
    {
        // Histories c = [4, 0] in a set with min 0, max 4 → normalised [1, 0].
        // n = 0: t = sign(1 − 0) = 1, μ = 1 → max(0, 1·(w_0 − w_1 − 1));  n = 1 (neighbour 0): t = −1, μ = 1, μ/t = −1
        //   → max(0, −1·(w_1 − (w_0 − 1))) = max(0, w_0 − 1 − w_1).
        // w = [3, 1]: both terms max(0, 3 − 1 − 1) = 1 → mean 1.   w = [1, 3]: both 0.
        using var high = tensor(new float[] { 3, 1 });
        Assert.Equal(1f, Qmf.RankLoss(high, [4, 0], 0, 4).item<float>(), 5);
        using var low = tensor(new float[] { 1, 3 });
        Assert.Equal(0f, Qmf.RankLoss(low, [4, 0], 0, 4).item<float>(), 5);
        // Equal histories (the first step): every target 0, no loss (the released code divides 0 by 0 here).
        Assert.Equal(0f, Qmf.RankLoss(high, [0, 0], 0, 0).item<float>(), 5);
    }
}
