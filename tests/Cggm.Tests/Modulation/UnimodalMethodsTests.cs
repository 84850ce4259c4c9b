using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class UnimodalMethodsTests
{
    [Fact]
    public void Ume_averages_the_unimodal_outputs()
    {
        // [1, 4] and [3, 0] → [2, 2]
        using var a = tensor(new float[] { 1, 4 }, [1, 2]);
        using var b = tensor(new float[] { 3, 0 }, [1, 2]);
        Assert.Equal(new[] { 2.0, 2.0 }, MethodTestKit.Values(UniModalEnsemble.Ensemble([a, b]).reshape(-1)));
    }

    [Fact]
    public void Umt_distillation_is_lambda_times_the_summed_feature_mse()
    {
        // h_0 = [1, 2] vs t_0 = [0, 0]: MSE = (1 + 4)/2 = 2.5;  h_1 = [1, 1] vs t_1 = [1, 3]: MSE = (0 + 4)/2 = 2
        // λ = 10 → 10·(2.5 + 2) = 45
        using var h0 = tensor(new float[] { 1, 2 }, [1, 2]);
        using var t0 = zeros(1, 2);
        using var h1 = tensor(new float[] { 1, 1 }, [1, 2]);
        using var t1 = tensor(new float[] { 1, 3 }, [1, 2]);
        Assert.Equal(45f, UniModalTeacher.DistillationLoss([h0, h1], [t0, t1], 10).item<float>(), 4);
    }
}
