using Cggm.Analysis;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Analysis;

public class ClassifierCostTests
{
    [Fact]
    public void Footprint_counts_parameters_gradients_and_the_optimizers_buffers()
    {
        var model = TestData.Model(3, 3, 4);   // hidden 6: each MlpModalityClassifier is 6·6 + 6 + 3·6 + 3 = 63 parameters
        var adam = ClassifierFootprint.Of(model, new OptimizerSpec(OptimizerKind.Adam, 1e-3));
        Assert.Equal(2 * 63, adam.ClassifierParameters);
        Assert.Equal(model.parameters().Sum(p => p.numel()), adam.ModelParameters);
        Assert.Equal(4, adam.BytesPerValue);
        Assert.Equal(2 * 63 * 4, adam.ParameterBytes);
        Assert.Equal(adam.ParameterBytes, adam.GradientBytes);
        Assert.Equal(2 * adam.ParameterBytes, adam.OptimizerStateBytes);
        Assert.Equal(4 * adam.ParameterBytes, adam.TotalBytes);
        Assert.Equal(1, ClassifierFootprint.Of(model, new OptimizerSpec(OptimizerKind.Sgd, 0.1, Momentum: 0.9)).OptimizerBuffersPerParameter);
        Assert.Equal(0, ClassifierFootprint.Of(model, new OptimizerSpec(OptimizerKind.Sgd, 0.1, Momentum: 0)).OptimizerBuffersPerParameter);
    }

    [Fact]
    public void Paper_size_brats_classifiers_are_counted_on_the_meta_device()
    {
        var inputs = new[] { "flair", "t1ce", "t1", "t2" }.Select(n => new Cggm.Data.ModalityInfo(n, [1, 160, 160])).ToArray();
        var f = ClassifierFootprint.OfMeta(() => new BratsDeepLab(inputs), new OptimizerSpec(OptimizerKind.Sgd, 6e-3, Momentum: 0.9));
        Assert.Equal(5_218_704, f.ClassifierParameters);   // four SegClassifiers: the released 5.2 M
        Assert.Equal(235_226_980, f.ModelParameters);
        Assert.Equal(3L * 4 * 5_218_704, f.TotalBytes);     // parameters, gradients, one momentum buffer, float32
        Assert.Equal(DeviceType.CPU, torch.zeros(1).device_type);   // the default device is back
    }

    [Fact]
    public void Measured_steps_report_times_and_memory_for_joint_classifiers_and_cggm()
    {
        var task = new ClassificationTask(3);
        var report = ClassifierCost.Measure(() => TestData.Model(3, 3, 4), task, TestData.Batch(16, 3, 3, 4),
            new TrainerOptions { Optimizer = new OptimizerSpec(OptimizerKind.Adam, 1e-3), ClipNorm = 0.8, Device = "cpu" },
            new CggmOptions { Rho = 1.3, Lambda = 0.2 }, steps: 3, warmup: 1);
        Assert.Equal(16, report.BatchSize);
        Assert.Equal("cpu", report.Device);
        Assert.Equal(126, report.Footprint.ClassifierParameters);
        foreach (var m in new[] { report.Joint, report.WithClassifiers, report.Cggm })
        {
            Assert.Equal(3, m.Steps);
            Assert.True(m.MedianSeconds > 0 && m.MeanSeconds > 0, m.Label);
            if (ProcessMemory.Available) Assert.True(m.PeakResidentBytes > 0, m.Label);
        }
        Assert.Equal(report.WithClassifiers.MedianSeconds - report.Joint.MedianSeconds, report.ExtraSecondsPerStep, 12);
        Assert.Equal("CGGM (paper)", report.Cggm.Label);
    }

    [Fact]
    public void Step_cost_trains_the_model_it_measures()
    {
        var model = TestData.Model(3, 3, 4);
        var before = model.HeadOutputWeight.detach().clone();
        using var method = new JointTraining();
        var m = StepCost.Measure("joint", model, new ClassificationTask(3), method, TestData.Batch(8, 3, 3, 4),
            new TrainerOptions { Optimizer = new OptimizerSpec(OptimizerKind.Sgd, 0.5) }, torch.CPU, steps: 2, warmup: 0);
        Assert.Equal(2, m.Steps);
        Assert.False(before.allclose(model.HeadOutputWeight), "the optimizer did not step");
        Assert.Throws<ArgumentOutOfRangeException>(() => StepCost.Measure("x", model, new ClassificationTask(3), method, TestData.Batch(8, 3, 3, 4), new TrainerOptions(), torch.CPU, steps: 0));
    }

    [Fact]
    public void Process_memory_reads_the_kernels_counters()
    {
        if (!ProcessMemory.Available) return;
        Assert.True(ProcessMemory.ResetPeak());
        var peak = ProcessMemory.Peak;
        var now = ProcessMemory.Resident;
        Assert.True(peak >= now / 2 && now > 1 << 20, $"peak {peak}, resident {now}");
        var block = new byte[64 << 20];
        Array.Fill(block, (byte)1);
        Assert.True(ProcessMemory.Peak >= peak + (48 << 20), "64 MB touched must raise the peak");
        GC.KeepAlive(block);
    }
}
