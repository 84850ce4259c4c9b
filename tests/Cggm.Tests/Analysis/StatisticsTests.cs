using Cggm.Analysis;

namespace Cggm.Tests.Analysis;

public class StatisticsTests
{
    [Fact]
    public void Paired_difference_has_the_student_t_interval()
    {
        // differences (seeds 0..4): 1, 2, 3, 4, 5 → mean 3, sd √2.5, t_{0.975,4} = 2.7764451051977987
        var a = new Dictionary<int, double> { [0] = 11, [1] = 12, [2] = 13, [3] = 14, [4] = 15, [9] = 100 };
        var b = new Dictionary<int, double> { [0] = 10, [1] = 10, [2] = 10, [3] = 10, [4] = 10, [7] = -1 };
        var d = Statistics.Paired(a, b);
        double half = 2.7764451051977987 * Math.Sqrt(2.5) / Math.Sqrt(5);
        Assert.Equal(5, d.Count);                 // only seeds present in both
        Assert.Equal(3, d.Mean, 12);
        Assert.Equal(3 - half, d.Low, 9);
        Assert.Equal(3 + half, d.High, 9);
        Assert.True(d.Excludes0);
    }

    [Fact]
    public void One_pair_has_no_interval_and_no_pair_is_an_error()
    {
        var one = Statistics.Paired(new Dictionary<int, double> { [0] = 2 }, new Dictionary<int, double> { [0] = 1 });
        Assert.Equal(1, one.Mean);
        Assert.True(double.IsNaN(one.Low) && !one.Excludes0);
        Assert.Throws<ArgumentException>(() => Statistics.Paired(new Dictionary<int, double> { [0] = 1 }, new Dictionary<int, double> { [1] = 1 }));
    }
}
