using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Tests.Modulation;

/// <summary>The smoothed-ε variant (<see cref="CggmOptions.UtilizationEma"/>): ε̄^t = βε̄^{t−1} + (1−β)ε^t, ε̂^t = ε̄^t/(1−β^t), Δε = ε̂^t − ε̂^{t−1}.</summary>
public class UtilizationEmaTests
{
    [Theory]
    [InlineData(CggmVariant.Paper)]
    [InlineData(CggmVariant.Reference)]
    public void Improvement_is_measured_on_the_bias_corrected_average(CggmVariant variant)
    {
        const double beta = 0.8;
        int[] dims = [3, 4];
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = variant, Rho = 1.0, Lambda = 0, UtilizationEma = beta }), 3, dims);
        var average = new double[2];
        var previous = new double[2];
        for (int t = 1; t <= 4; t++)
        {
            var s = h.Compose(TestData.Batch(16, 3, dims), t - 1);
            s.Loss!.backward();
            h.Method.AfterBackward(s);
            var eps = TestData.Values(s.Diagnostics.Utilization!);   // ε as measured on this batch
            var smoothed = new double[2];
            for (int i = 0; i < 2; i++)
            {
                average[i] = beta * average[i] + (1 - beta) * eps[i];
                smoothed[i] = average[i] / (1 - Math.Pow(beta, t));
            }
            var expected = smoothed.Zip(previous, (a, b) => a - b).ToArray();
            Assert.Equal(expected, TestData.Values(s.Diagnostics.DeltaUtilization!), new Tolerance(1e-12));
            if (t == 1) Assert.Equal(eps, expected, new Tolerance(1e-12));   // ε̂^1 = ε^1: the first step is Eq. 6's
            previous = smoothed;
            h.Optimizer.step();
        }
    }

    [Fact]
    public void The_factor_must_be_in_the_open_unit_interval()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CggmMethod.Create(new CggmOptions { UtilizationEma = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CggmMethod.Create(new CggmOptions { UtilizationEma = 0 }));
    }

    [Fact]
    public void The_average_survives_a_checkpoint()
    {
        int[] dims = [3, 4];
        var options = new CggmOptions { Variant = CggmVariant.Reference, Rho = 1.3, Lambda = 0.2, UtilizationEma = 0.9 };
        using var a = new CggmHarness(CggmMethod.Create(options), 3, dims);
        for (int t = 0; t < 3; t++) { var s = a.Compose(TestData.Batch(16, 3, dims), t); s.Loss!.backward(); a.Method.AfterBackward(s); }
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) a.Method.SaveState(w);
        using var b = new CggmHarness(CggmMethod.Create(options), 3, dims);
        stream.Position = 0;
        using (var r = new BinaryReader(stream)) b.Method.LoadState(r);
        var batch = TestData.Batch(16, 3, dims);
        var sa = a.Compose(batch, 3); sa.Loss!.backward(); a.Method.AfterBackward(sa);
        var sb = b.Compose(batch, 3); sb.Loss!.backward(); b.Method.AfterBackward(sb);
        Assert.Equal(TestData.Values(sa.Diagnostics.DeltaUtilization!), TestData.Values(sb.Diagnostics.DeltaUtilization!));
    }
}
