using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Gpu;

/// <summary>
/// Tests that need an NVIDIA GPU and a <c>-p:TorchBackend=cuda</c> build. Without one they report "skipped" with the reason
/// (<see cref="Devices.CudaProblem"/>). Run only these with <c>dotnet test --filter Category=Cuda</c>.
/// </summary>
[Trait("Category", "Cuda")]
public sealed class CudaTests
{
    private static void RequireCuda() => Skip.IfNot(Devices.CudaAvailable, Devices.CudaProblem);

    [SkippableFact]
    public void The_default_device_is_cuda_when_it_initialises()
    {
        RequireCuda();
        Assert.Equal(DeviceType.CUDA, Devices.Default.type);
        Assert.Equal(DeviceType.CUDA, Devices.Decide("cuda:0").type);
    }

    [SkippableFact]
    public void A_model_gives_the_same_outputs_on_cuda_as_on_the_cpu()
    {
        RequireCuda();
        using var model = TestData.Model(3, 4, 5);
        using var batch = TestData.Batch(8, 3, 4, 5);
        model.eval();
        using var cpu = model.call(batch.Modalities).Prediction.detach().clone();
        model.to(torch.CUDA);
        using var gpu = model.call(batch.Modalities.Select(m => m.to(torch.CUDA)).ToArray()).Prediction.cpu();
        Assert.True(torch.allclose(cpu, gpu, rtol: 1e-4, atol: 1e-5), "CPU and CUDA outputs differ");
    }

    [SkippableFact]
    public void Cggm_trains_on_cuda_end_to_end()
    {
        RequireCuda();
        var data = TestData.Synthetic();
        Seeding.Everything(1);
        using var model = new MlpFusionNet(data.Modalities, 3, hidden: 8);
        using var method = MethodRegistry.Create("cggm");
        using var trainer = new Trainer(model, new ClassificationTask(3), method, new TrainerOptions { Epochs = 2, BatchSize = 16, Device = "cuda" });
        var result = trainer.Fit(data);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CUDA, p.device_type));
        Assert.InRange(result.Test.Metrics["accuracy"], 0, 1);
        Assert.All(result.History.Steps, s => Assert.True(double.IsFinite(s.Loss)));
    }
}
