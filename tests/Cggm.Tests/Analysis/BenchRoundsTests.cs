using Cggm.Analysis;
using Cggm.Bench;

namespace Cggm.Tests.Analysis;

public class BenchRoundsTests
{
    private static StepMeasurement M(string method, double median, double peak = 100) =>
        new("mosi", method, 64, 20, median, median - 10, median + 10, peak, 50, 1000);

    [Fact]
    public void Ratios_are_taken_within_each_round_then_summarised()
    {
        // Round 1: 110/100 = 1.1; round 2: 260/200 = 1.3; round 3: 120/100 = 1.2 → median 1.2, range 1.1–1.3.
        IReadOnlyList<StepMeasurement>[] rounds = [[M("joint", 100), M("cggm", 110)], [M("cggm", 260), M("joint", 200)], [M("joint", 100), M("cggm", 120)]];
        var ratio = BenchRounds.Ratio(rounds, "mosi", "cggm")!;
        Assert.Equal(1.2, ratio.Median, 12);
        Assert.Equal(1.1, ratio.Min, 12);
        Assert.Equal(1.3, ratio.Max, 12);
        Assert.Null(BenchRounds.Ratio(rounds, "mosi", "cggm-reference"));
        Assert.Null(BenchRounds.Ratio(rounds, "iemocap", "cggm"));
    }

    [Fact]
    public void Combined_measurements_keep_the_first_order_and_take_medians_peaks_and_step_totals()
    {
        IReadOnlyList<StepMeasurement>[] rounds = [[M("joint", 100, peak: 300), M("cggm", 110)], [M("cggm", 130, peak: 500), M("joint", 200)]];
        var combined = BenchRounds.Combine(rounds);
        Assert.Equal(["joint", "cggm"], combined.Select(m => m.Method));
        Assert.Equal(150, combined[0].MedianMs, 12);          // (100 + 200) / 2
        Assert.Equal(160, combined[0].P90Ms, 12);             // (110 + 210) / 2
        Assert.Equal(300, combined[0].PeakMemoryMb);
        Assert.Equal(120, combined[1].MedianMs, 12);
        Assert.Equal(500, combined[1].PeakMemoryMb);
        Assert.Equal(40, combined[1].Steps);
    }

    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_no_values_are_refused()
    {
        Assert.Equal(2, Statistics.Median([3, 1, 2]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 3, 2]));
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
    }
}
