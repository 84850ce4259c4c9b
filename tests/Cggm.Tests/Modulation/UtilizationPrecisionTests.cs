using Cggm.Modulation;
using Cggm.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

/// <summary>
/// ε is scored in float64, as the released code does (numpy's accuracy_score). Batches of 12 and 20 make k/B inexact in
/// float32; on steps whose improvements cancel (hand-computed Σ Δε = 0) the released 1e-8 then decides B's sign and size, so
/// B must equal the released float64 arithmetic bit for bit.
/// </summary>
public class UtilizationPrecisionTests
{
    /// <summary>Logits [B, 4] whose argmax hits the label in exactly the first <paramref name="hits"/> samples.</summary>
    private static (Tensor Logits, Tensor Labels) Batch(int size, int hits)
    {
        var labels = torch.tensor(Enumerable.Range(0, size).Select(i => (long)(i % 4)).ToArray());
        var predicted = torch.tensor(Enumerable.Range(0, size).Select(i => (long)(i < hits ? i % 4 : (i + 1) % 4)).ToArray());
        return (nn.functional.one_hot(predicted, 4).to(ScalarType.Float32) * 5, labels);
    }

    /// <summary>The released coefficients: diff = acc2 − acc1; diff_sum = sum(diff) + 1e-8; coeff = (diff_sum − d)/diff_sum, in double.</summary>
    private static double[] Released(int size, int[] before, int[] after)
    {
        var diff = after.Zip(before, (a, b) => (double)a / size - (double)b / size).ToArray();
        double sum = 0;
        foreach (var d in diff) sum += d;
        double diffSum = sum + 1e-8;
        return diff.Select(d => (diffSum - d) / diffSum).ToArray();
    }

    [Theory]
    [InlineData(12, new[] { 5, 7, 3 }, new[] { 6, 6, 3 })]     // Δε = (1/12, −1/12, 0): Σ = 0 by hand
    [InlineData(12, new[] { 1, 11, 7 }, new[] { 3, 8, 8 })]    // (2/12, −3/12, 1/12)
    [InlineData(20, new[] { 3, 17, 9 }, new[] { 7, 14, 8 })]   // (4/20, −3/20, −1/20)
    [InlineData(20, new[] { 10, 10 }, new[] { 13, 7 })]        // M = 2: (3/20, −3/20)
    public void Coefficients_on_cancelling_steps_match_the_released_float64_arithmetic(int size, int[] before, int[] after)
    {
        var task = new ClassificationTask(4);
        Tensor Eps(int[] hits) => torch.stack(hits.Select(h => { var (p, y) = Batch(size, h); return task.Utilization(p, y); }).ToArray());
        var eps0 = Eps(before);
        var eps1 = Eps(after);
        Assert.Equal(ScalarType.Float64, eps1.dtype);
        Assert.Equal(after.Select(h => (double)h / size), TestData.Values(eps1));   // k/B exactly as numpy's float64 mean

        var b = TestData.Values(BalancingCoefficients.Compute(BalancingCoefficients.Improvement(eps1, eps0), 1.0, guard: false));
        var expected = Released(size, before, after);
        Assert.Equal(expected, b);                                                    // bit for bit
        Assert.Contains(b, v => Math.Abs(v) > 1e5);                                  // the released blow-up, with the released sign

        // In float32 the same batches give a different Σ Δε, and B of another size (or sign): what the float64 ε fixed.
        var eps32 = Enumerable.Range(0, after.Length).Select(i => (double)((float)after[i] / size) - (double)((float)before[i] / size)).ToArray();
        var b32 = TestData.Values(BalancingCoefficients.Compute(torch.tensor(eps32), 1.0, guard: false));
        Assert.NotEqual(expected, b32);
    }

    [Fact]
    public void Regression_acc2_is_float64()
    {
        var task = new RegressionTask(RegressionUtilization.Acc2);
        using var eps = task.Utilization(torch.tensor(new float[] { 1, -1, 2, 0.5f, -3, 1, 1, 1, -1, -1, 2, 2 }), torch.tensor(new float[] { 1, 1, 1, 1, -1, -1, -1, 1, 1, -1, 1, 0 }));
        Assert.Equal(ScalarType.Float64, eps.dtype);
        Assert.Equal(7.0 / 12, eps.item<double>());   // agree at 0, 2, 3, 4, 7, 9, 10
    }
}
