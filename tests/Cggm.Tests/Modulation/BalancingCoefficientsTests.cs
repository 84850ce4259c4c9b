using Cggm.Modulation;
using TorchSharp;

namespace Cggm.Tests.Modulation;

/// <summary>Eq. 7: B_i = ρ · Σ_{k≠i} Δε_k / Σ_k Δε_k, hand-computed.</summary>
public class BalancingCoefficientsTests
{
    private static double[] B(double[] delta, double rho, bool guard) =>
        TestData.Values(BalancingCoefficients.Compute(torch.tensor(delta), rho, guard));

    [Fact]
    public void Two_modalities()
    {
        // Δε = (0.2, 0.1), Σ = 0.3: B = (0.1/0.3, 0.2/0.3) = (1/3, 2/3); with ρ = 1.3: (0.4333…, 0.8666…)
        Assert.Equal([1.0 / 3, 2.0 / 3], B([0.2, 0.1], 1.0, guard: true), new Tolerance(1e-12));
        Assert.Equal([1.3 / 3, 2.6 / 3], B([0.2, 0.1], 1.3, guard: true), new Tolerance(1e-12));
    }

    [Fact]
    public void Three_modalities()
    {
        // Δε = (0.1, 0.2, 0.3), Σ = 0.6: B = (0.5, 0.4, 0.3)/0.6 = (0.8333…, 0.6666…, 0.5); ΣB = ρ(M−1) = 2
        var b = B([0.1, 0.2, 0.3], 1.0, guard: true);
        Assert.Equal([5.0 / 6, 4.0 / 6, 0.5], b, new Tolerance(1e-12));
        Assert.Equal(2.0, b.Sum(), 12);
    }

    [Fact]
    public void Four_modalities_with_rho()
    {
        // Δε = (0.1, −0.05, 0.2, 0.15), Σ = 0.4: (Σ − Δε_i)/Σ = (0.75, 1.125, 0.5, 0.625); ×ρ = 1.2 → (0.9, 1.35, 0.6, 0.75)
        var b = B([0.1, -0.05, 0.2, 0.15], 1.2, guard: true);
        Assert.Equal([0.9, 1.35, 0.6, 0.75], b, new Tolerance(1e-12));
        Assert.Equal(1.2 * 3, b.Sum(), 12);
    }

    [Fact]
    public void Guard_gives_the_neutral_value_when_improvements_cancel()
    {
        // Σ Δε = 0: guard → ρ(M−1)/M = 1.3·1/2 = 0.65 for M = 2, and 1.0·2/3 for M = 3
        Assert.Equal([0.65, 0.65], B([0.1, -0.1], 1.3, guard: true), new Tolerance(1e-12));
        Assert.Equal([2.0 / 3, 2.0 / 3, 2.0 / 3], B([0.0, 0.0, 0.0], 1.0, guard: true), new Tolerance(1e-12));
    }

    [Fact]
    public void Without_the_guard_the_released_epsilon_explodes_as_in_the_released_code()
    {
        // released: diff_sum = Σd + 1e-8 = 1e-8; coeff_i = (diff_sum − d_i)/diff_sum → (1e-8 − 0.1)/1e-8, (1e-8 + 0.1)/1e-8
        var b = B([0.1, -0.1], 1.0, guard: false);
        Assert.Equal((1e-8 - 0.1) / 1e-8, b[0], 3);
        Assert.Equal((1e-8 + 0.1) / 1e-8, b[1], 3);
        // away from zero the epsilon is negligible: (0.3 + 1e-8 − 0.2)/(0.3 + 1e-8)
        Assert.Equal((0.3 + 1e-8 - 0.2) / (0.3 + 1e-8), B([0.2, 0.1], 1.0, guard: false)[0], 15);
    }

    [Fact]
    public void Improvement_is_the_difference_of_consecutive_utilizations()
    {
        // Eq. 6: Δε^t = ε^t − ε^{t−1}
        Assert.Equal([0.25, -0.125], TestData.Values(BalancingCoefficients.Improvement(torch.tensor(new[] { 0.75, 0.5 }), torch.tensor(new[] { 0.5, 0.625 }))), new Tolerance(1e-15));
    }

    [Fact]
    public void Fewer_than_two_modalities_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancingCoefficients.Compute(torch.tensor(new[] { 0.1 }), 1.0, true));
        Assert.Contains("M ≥ 2", e.Message);
    }
}

/// <summary>Element-wise equality of double arrays within an absolute tolerance.</summary>
internal sealed class Tolerance(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
