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

[Collection(ModulationCollection.Name)]
public sealed class SubTrainingTests
{
    [Theory]
    [InlineData("umt")]
    [InlineData("g-blending")]
    public void Sub_training_restores_the_weights_and_leaves_no_gradient(string name)
    {
        // UMT's teachers and G-Blending's estimate train the run's own modules inside the first step's forward; the weights
        // must come back unchanged and no gradient may be left for that step's backward to add to.
        using var data = MethodTestKit.Data();
        using var model = MethodTestKit.Model(data);
        var task = MethodTestKit.Task(data);
        using var method = MethodRegistry.Create(name, MethodTestKit.FastSettings);
        method.Attach(MethodTestKit.Context(model, task, data));
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        var batch = data[Cggm.Data.Split.Train].Load([0, 1, 2, 3], CPU);
        method.Forward(new Cggm.Training.StepState(0, 0, 0, batch, [0, 1, 2, 3]));
        var after = model.parameters().ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.True(before[i].eq(after[i]).all().item<bool>(), $"{name}: parameter {i} changed");
            Assert.Null(after[i].grad);
        }
    }
}
