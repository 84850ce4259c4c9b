using Cggm.Metrics;
using Cggm.Tasks;
using TorchSharp;

namespace Cggm.Tests.Metrics;

public class MetricsTests
{
    [Fact]
    public void Classification_accuracy_and_f1_by_hand()
    {
        // truth 0,0,0,1,2,2  pred 0,0,1,1,2,1
        // class 0: tp 2, support 3, predicted 2 → F1 = 4/5;  class 1: tp 1, support 1, predicted 3 → 2/4;  class 2: tp 1, support 2, predicted 1 → 2/3
        // weighted = (0.8·3 + 0.5·1 + 2/3·2)/6 = (2.9 + 4/3)/6;  macro = (0.8 + 0.5 + 2/3)/3;  accuracy = 4/6
        var m = new ClassificationMetrics(3);
        m.AddLabels([0, 0, 1, 1, 2, 1], [0, 0, 0, 1, 2, 2]);
        var r = m.Compute();
        Assert.Equal(4.0 / 6, r["accuracy"], 12);
        Assert.Equal((2.9 + 4.0 / 3) / 6, r["f1_weighted"], 12);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, r["f1_macro"], 12);
    }

    [Fact]
    public void Classification_from_logits()
    {
        var m = new ClassificationMetrics(2);
        m.Add(torch.tensor(new float[,] { { 2, 1 }, { 0, 3 }, { 5, 4 } }), torch.tensor(new long[] { 0, 0, 0 }));
        Assert.Equal(2.0 / 3, m.Compute()["accuracy"], 12);
    }

    [Fact]
    public void Sentiment_metrics_by_hand()
    {
        // pred 2.4, −0.6, 0.5, 3.7, −2.5   truth 2.0, −1.0, 0.0, 2.6, −1.4
        // MAE = (0.4 + 0.4 + 0.5 + 1.1 + 1.1)/5 = 0.7
        // Acc-7: round-half-even of clip(±3): pred 2, −1, 0, 3, −2 vs truth 2, −1, 0, 3, −1 → 4/5
        // Acc-5: clip(±2): pred 2, −1, 0, 2, −2 vs truth 2, −1, 0, 2, −1 → 4/5
        // Acc-2 (zeros negative): pred>0 T,F,T,T,F vs truth>0 T,F,F,T,F → 4/5; F1 weighted: both classes 4/5 → 0.8
        // non-zero truths only (drop index 2): 4/4 = 1
        // Pearson: means 0.7, 0.44; Sxy = 16.98, Sxx = 23.86, Syy = 12.752 → 16.98/√(23.86·12.752) = 0.97344924857…
        var m = new SentimentMetrics();
        m.AddValues([2.4f, -0.6f, 0.5f, 3.7f, -2.5f], [2.0f, -1.0f, 0.0f, 2.6f, -1.4f]);
        var r = m.Compute();
        Assert.Equal(0.7, r["mae"], 6);
        Assert.Equal(0.8, r["acc7"], 12);
        Assert.Equal(0.8, r["acc5"], 12);
        Assert.Equal(0.8, r["acc2"], 12);
        Assert.Equal(0.8, r["f1"], 12);
        Assert.Equal(1.0, r["acc2_nonzero"], 12);
        Assert.Equal(1.0, r["f1_nonzero"], 12);
        Assert.Equal(0.9734492485763279, r["corr"], 6);
    }

    [Fact]
    public void Dice_by_hand()
    {
        // output [[1,1],[0,0]], target [[1,0],[0,0]]: 2(1 + 1e-3)/(2 + 1 + 2e-3) = 0.66688874…; empty vs empty = 1
        var o = torch.tensor(new float[,,] { { { 1, 1 }, { 0, 0 } }, { { 0, 0 }, { 0, 0 } } });
        var t = torch.tensor(new float[,,] { { { 1, 0 }, { 0, 0 } }, { { 0, 0 }, { 0, 0 } } });
        Assert.Equal([2 * 1.001 / 3.002, 1.0], TestData.Values(DiceScore.PerSample(o, t)), new Modulation.Tolerance(1e-6));
    }

    [Fact]
    public void Segmentation_regions_and_utilization()
    {
        // one 2×2 sample; target labels [[3,1],[2,0]], prediction argmax [[3,3],[2,0]]
        // ET {3}: pred {00,01} vs target {00}: 2(1+e)/(2+1+2e); TC {1,3}: pred {00,01} vs {00,01}: 1; WT: pred 3 px vs 3 px, all match: 1
        var task = new SegmentationTask();
        var logits = torch.zeros([1, 4, 2, 2]);
        logits[0, 3, 0, 0] = torch.tensor(5f); logits[0, 3, 0, 1] = torch.tensor(5f); logits[0, 2, 1, 0] = torch.tensor(5f); logits[0, 0, 1, 1] = torch.tensor(5f);
        var target = torch.tensor(new long[,,] { { { 3, 1 }, { 2, 0 } } });
        double et = 2 * 1.001 / 3.002;
        Assert.Equal((et + 1 + 1) / 3, task.Utilization(logits, target).item<float>(), 5);
        var metrics = task.CreateMetrics();
        metrics.Add(logits, target);
        var r = metrics.Compute();
        Assert.Equal(et, r["dice_et"], 5);
        Assert.Equal(1.0, r["dice_tc"], 5);
        Assert.Equal(1.0, r["dice_wt"], 5);
        Assert.True(task.Loss(logits, target).item<float>() > 0);
    }

    [Fact]
    public void Tasks_reject_wrong_shapes_with_both_shapes_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClassificationTask(3).Validate(torch.zeros([4, 2]), torch.zeros([4], torch.ScalarType.Int64)));
        Assert.Contains("[4, 2]", e.Message);
        Assert.Throws<ArgumentException>(() => new RegressionTask().Validate(torch.zeros([4, 3]), torch.zeros([4])));
        Assert.Throws<ArgumentException>(() => new SegmentationTask().Validate(torch.zeros([1, 4, 2, 2]), torch.zeros([1, 3, 2], torch.ScalarType.Int64)));
    }
}
