using Cggm.Training;
using TorchSharp;

namespace Cggm.Tests.Training;

public class LearningRateSchedulerTests
{
    private static (LearningRateScheduler, torch.optim.Optimizer) Make(LearningRateSchedule schedule, double lr, int epochs, int steps)
    {
        var p = new TorchSharp.Modules.Parameter(torch.zeros(1));
        var opt = torch.optim.SGD([p], lr);
        return (new LearningRateScheduler(schedule, opt, lr, epochs, steps), opt);
    }

    [Fact]
    public void Plateau_reduces_after_more_than_patience_bad_epochs()
    {
        var (s, opt) = Make(new LearningRateSchedule.ReduceOnPlateau(Patience: 2, Factor: 0.1), 1e-3, 10, 1);
        // losses 1.0 (best), 0.9 (best), 0.95, 0.95 (2 bad: not yet), 0.95 (3 bad > 2: ×0.1)
        foreach (var (loss, expected) in new[] { (1.0, 1e-3), (0.9, 1e-3), (0.95, 1e-3), (0.95, 1e-3), (0.95, 1e-4) })
        {
            s.AfterEpoch(loss);
            Assert.Equal(expected, s.Current, 12);
            Assert.Equal(expected, opt.ParamGroups.First().LearningRate, 12);
        }
    }

    [Fact]
    public void Warmup_cosine_matches_the_released_schedule()
    {
        // base 0.01, warm-up 1 epoch × 3 steps from 4e-4: linspace(4e-4, 0.01, 3) = 4e-4, 5.2e-3, 0.01;
        // then 6 cosine steps j = 0..5: 1e-3 + ½(0.01 − 1e-3)(1 + cos(πj/6))
        var w = new LearningRateSchedule.WarmupCosine(4e-4, 1e-3, 1);
        var (s, _) = Make(w, 0.01, 3, 3);
        double[] expected = [4e-4, 5.2e-3, 0.01, .. Enumerable.Range(0, 6).Select(j => 1e-3 + 0.5 * 9e-3 * (1 + Math.Cos(Math.PI * j / 6)))];
        for (int step = 0; step < 9; step++)
        {
            s.BeforeStep(step);
            Assert.Equal(expected[step], s.Current, 12);
        }
    }
}
