using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.Models;
using Cggm.Models.Blocks;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Models;

[Collection(ModelCollection.Name)]
public class PaperSettingsTests
{
    [Fact]
    public void Each_dataset_has_the_released_hyperparameters()
    {
        var mosi = (MosiSettings)DatasetRegistry.Get("mosi").PaperSettings!;
        Assert.Equal((30, 64, 0.8), (mosi.Epochs, mosi.BatchSize, mosi.ClipNorm!.Value));
        Assert.Equal(new OptimizerSpec(OptimizerKind.Adam, 1e-3), mosi.Optimizer);
        Assert.Equal(new LearningRateSchedule.ReduceOnPlateau(10, 0.1), mosi.Schedule);
        Assert.Equal((1.3, 0.2, new OptimizerSpec(OptimizerKind.Adam, 5e-4)), (mosi.Cggm.Rho!.Value, mosi.Cggm.Lambda, mosi.Cggm.ClassifierOptimizer));
        Assert.Equal((1, 5, 3), (mosi.Model.Outputs, mosi.Model.Layers, mosi.Model.FusionLayers));

        var iemocap = (IemocapSettings)DatasetRegistry.Get("IEMOCAP").PaperSettings!;
        Assert.Equal(new OptimizerSpec(OptimizerKind.Adam, 1e-3), iemocap.Optimizer);
        Assert.Equal((1.2, 0.2), (iemocap.Cggm.Rho!.Value, iemocap.Cggm.Lambda));
        Assert.Equal((4, 4), (iemocap.Model.Outputs, iemocap.Model.Layers));
        Assert.Equal(new TransformerDropouts(0.15, 0.15, 0.15, 0.2, 0.2), iemocap.Model.Dropouts);

        var food = (Food101Settings)DatasetRegistry.Get("food101").PaperSettings!;
        Assert.Equal((60, 128), (food.Epochs, food.BatchSize));
        Assert.Equal(new OptimizerSpec(OptimizerKind.AdamW, 1e-3, WeightDecay: 6e-3), food.Optimizer);
        Assert.Equal((1.3, 0.05, new OptimizerSpec(OptimizerKind.AdamW, 5e-4, WeightDecay: 3e-3)), (food.Cggm.Rho!.Value, food.Cggm.Lambda, food.Cggm.ClassifierOptimizer));
        Assert.False(food.Model.SharedProjectionBug);

        var brats = (BratsSettings)DatasetRegistry.Get("brats2021").PaperSettings!;
        Assert.Equal((75, 64, (double?)null), (brats.Epochs, brats.BatchSize, brats.ClipNorm));
        Assert.Equal(new OptimizerSpec(OptimizerKind.Sgd, 0.01, WeightDecay: 3e-4, Momentum: 0.9), brats.Optimizer);
        Assert.Equal(new LearningRateSchedule.WarmupCosine(4e-4, 1e-3, 10), brats.Schedule);
        Assert.Equal((1.0, 0.1), (brats.Cggm.Rho!.Value, brats.Cggm.Lambda));
        Assert.Equal(new OptimizerSpec(OptimizerKind.Sgd, 6e-3, WeightDecay: 3e-4, Momentum: 0.9), brats.Cggm.ClassifierOptimizer);
        Assert.Equal(ResNetDepth.ResNet101, brats.Model.Depth);
        var task = Assert.IsType<SegmentationTask>(brats.CreateTask());
        Assert.Equal((0.5, 0.5), (task.CeWeight, task.DiceWeight));

        Assert.All(DatasetRegistry.Paper.Select(d => d.PaperSettings!), s => Assert.False(s.Trainer().ShuffleTrain));
        Assert.Throws<ArgumentException>(() => DatasetRegistry.Get("mnist"));
    }

    [Fact]
    public void Settings_build_the_setup_the_trainer_and_the_model_from_a_dataset()
    {
        torch.manual_seed(13);
        using var mosiData = new RandomDataset("mosi", Tiny.Mosi, LabelInfo.Regression());
        using var foodData = new RandomDataset("food101", Tiny.Food, LabelInfo.Classification(101));
        using var bratsData = new RandomDataset("brats", Tiny.Brats(32), LabelInfo.Segmentation(4, 32, 32));

        var mosi = new MosiSettings { Model = Tiny.Sequence(1) }.Setup(mosiData);
        using (var model = mosi.Model(mosiData)) Assert.IsType<SequenceTransformer>(model);
        Assert.IsType<RegressionTask>(mosi.Task);
        Assert.Equal(0.8, mosi.Trainer.ClipNorm);
        Assert.Equal(new OptimizerSpec(OptimizerKind.Adam, 5e-4), mosi.Trainer.ProbeOptimizer);
        Assert.Equal(1.3, mosi.Methods.Cggm.Rho);

        var food = new Food101Settings { Model = Tiny.FoodOptions() }.Setup(foodData, "food-smoke");
        Assert.Equal("food-smoke", food.Name);
        using (var model = food.Model(foodData)) Assert.IsType<SequenceTransformer>(model);

        var brats = new BratsSettings { Model = Tiny.Seg() }.Setup(bratsData);
        using (var model = brats.Model(bratsData)) Assert.IsType<BratsDeepLab>(model);
        Assert.IsType<LearningRateSchedule.WarmupCosine>(brats.Trainer.Schedule);

        Assert.Throws<ArgumentException>(() => new IemocapSettings().Setup(mosiData));                 // regression data, classification settings
        Assert.Throws<ArgumentException>(() => new IemocapSettings().CreateModel(foodData));           // 101 classes, 4 outputs
    }

    [Fact]
    public void A_recipe_runs_from_settings_and_a_dataset()
    {
        torch.manual_seed(14);
        using var data = new RandomDataset("mosi", Tiny.Mosi, LabelInfo.Regression());
        var settings = new MosiSettings { Model = Tiny.Sequence(1), Epochs = 1, BatchSize = 4, Device = "cpu" };
        var runs = ExperimentRunner.Run(settings.Setup(data), ["joint", "cggm-reference"], [0]);
        Assert.Equal(["joint", "cggm-reference"], runs.Select(r => r.Method));
        Assert.All(runs, r => Assert.True(double.IsFinite(r.Result.Test.Metrics["mae"])));
    }
}
