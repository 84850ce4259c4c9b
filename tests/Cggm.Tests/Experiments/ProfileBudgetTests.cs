using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.Models.Blocks;
using Cggm.Modulation;

namespace Cggm.Tests.Experiments;

[Collection(Cggm.Tests.Modulation.ModulationCollection.Name)]
public class ProfileBudgetTests
{
    [Fact]
    public void Epoch_counted_schedules_scale_with_the_run_and_every_modality_keeps_a_reconboost_stage()
    {
        var methods = new MethodSettings();
        Assert.Same(methods, ProfileBudget.ScaleSchedules(methods, 30, 30, 3));

        // r = 5/30: G-Blending round(10/6) = 2 and max(1, round(5/6)) = 1; ReconBoost max(1, round(4/6)) = 1 per stage,
        // correction min(round(4/6) = 1, 5/3 − 1 = 0) = 0; PMR round(5/6) = 1; Greedy round(2/6) = 0.
        var quick = ProfileBudget.ScaleSchedules(methods, 5, 30, 3);
        Assert.Equal((2, 1), (quick.GBlending.WarmupSuperEpoch, quick.GBlending.SuperEpoch));
        Assert.Equal((1, 0), (quick.ReconBoost.EpochsPerStage, quick.ReconBoost.CorrectionEpochs));
        Assert.Equal((1, 0), (quick.Pmr.RegularizationEpochs, quick.Greedy.StartEpoch));

        // r = 15/30 with 2 modalities: ReconBoost 2 per stage, correction min(2, 15/2 − 2 = 5) = 2.
        var half = ProfileBudget.ScaleSchedules(methods, 15, 30, 2);
        Assert.Equal((5, 3), (half.GBlending.WarmupSuperEpoch, half.GBlending.SuperEpoch));
        Assert.Equal((2, 2), (half.ReconBoost.EpochsPerStage, half.ReconBoost.CorrectionEpochs));

        var smoke = ProfileBudget.ScaleSchedules(methods, 1, 30, 3);
        Assert.Equal((1, 1, 1, 0), (smoke.GBlending.WarmupSuperEpoch, smoke.GBlending.SuperEpoch, smoke.ReconBoost.EpochsPerStage, smoke.ReconBoost.CorrectionEpochs));
        Assert.Equal(methods.Cggm, smoke.Cggm);
    }

    [Fact]
    public void The_sequence_budgets_change_only_what_they_name()
    {
        var paper = (MosiSettings)PaperExperiment.Settings(DatasetRegistry.Mosi, Profile.Paper);
        Assert.Equal((30, 64, 5), (paper.Epochs, paper.BatchSize, paper.Model.Layers));
        var quick = (MosiSettings)PaperExperiment.Settings(DatasetRegistry.Mosi, Profile.Quick);
        Assert.Equal((5, 64, 3), (quick.Epochs, quick.BatchSize, quick.Model.Layers));
        Assert.Equal(paper with { Epochs = 5, Model = paper.Model with { Layers = 3 } }, quick);
        var smoke = (IemocapSettings)PaperExperiment.Settings(DatasetRegistry.Iemocap, Profile.Smoke);
        Assert.Equal((1, 8, 3), (smoke.Epochs, smoke.BatchSize, smoke.Model.Layers));

        Assert.Equal([0, 1], PaperExperiment.Seeds(DatasetRegistry.Mosi, Profile.Quick));
        Assert.Equal(PaperExperiment.Seeds(Profile.Paper), PaperExperiment.Seeds(DatasetRegistry.Iemocap, Profile.Paper));
        Assert.Null(DatasetRegistry.Mosi.Budget(Profile.Paper));
        Assert.Null(DatasetRegistry.Food101.Budget(Profile.Smoke));
        var food = (Food101Settings)PaperExperiment.Settings(DatasetRegistry.Food101, Profile.Quick);
        var foodPaper = (Food101Settings)PaperExperiment.Settings(DatasetRegistry.Food101, Profile.Paper);
        Assert.Equal(foodPaper with { Epochs = 2, BatchSize = 32, Model = foodPaper.Model with { Layers = 3 } }, food);
        Assert.Equal([0, 1], PaperExperiment.Seeds(DatasetRegistry.Food101, Profile.Quick));
        Assert.Contains("train 128 / valid 64 / test 128", PaperExperiment.Describe(DatasetRegistry.Food101, Profile.Quick));
        var brats = (BratsSettings)PaperExperiment.Settings(DatasetRegistry.Brats2021, Profile.Quick);
        Assert.Equal((4, 8, ResNetDepth.ResNet18, 16), (brats.Epochs, brats.BatchSize, brats.Model.Depth, brats.Model.BaseWidth));
        Assert.Equal([0, 1], PaperExperiment.Seeds(DatasetRegistry.Brats2021, Profile.Quick));
        Assert.Contains("train 16 / valid 8 / test 8", PaperExperiment.Describe(DatasetRegistry.Brats2021, Profile.Quick));
        Assert.Contains("train 256 / valid all / test all", PaperExperiment.Describe(DatasetRegistry.Mosi, Profile.Quick));
        Assert.StartsWith("Paper profile: the paper's settings (30 epochs, batch 64)", PaperExperiment.Describe(DatasetRegistry.Mosi, Profile.Paper));
    }

    [Fact]
    public void Smoke_opens_sample_data_through_the_real_loader_with_the_budget_applied()
    {
        using var mosi = PaperExperiment.OpenData(DatasetRegistry.Mosi, Profile.Smoke, dataRoot: Path.Combine(Path.GetTempPath(), "cggm-no-data-here"));
        Assert.True(mosi.IsSample);
        Assert.Equal(16, mosi.Data[Split.Train].Count);
        using var iemocap = PaperExperiment.OpenData(DatasetRegistry.Iemocap, Profile.Smoke, dataRoot: Path.Combine(Path.GetTempPath(), "cggm-no-data-here"));
        Assert.Equal([32L, 130L], iemocap.Data.Modalities[1].Shape);
        Assert.Equal((16, 8), (iemocap.Data[Split.Train].Count, iemocap.Data[Split.Test].Count));

        var (setup, data) = PaperExperiment.Setup(DatasetRegistry.Mosi, Profile.Smoke, Path.Combine(Path.GetTempPath(), "cggm-no-data-here"));
        using var _ = data;
        Assert.Equal(1, setup.Methods.GBlending.WarmupSuperEpoch);
    }
}
