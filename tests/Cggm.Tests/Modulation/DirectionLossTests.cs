using Cggm.Modulation;
using TorchSharp;

namespace Cggm.Tests.Modulation;

/// <summary>Eq. 12: 𝓛_gm = (1/M) Σ_i (|B_i| − B_i · cos_i), hand-computed.</summary>
public class DirectionLossTests
{
    private static double L(double[] b, double[] cos) => TestData.Values(DirectionLoss.Compute(torch.tensor(b), torch.tensor(cos)))[0];

    [Fact]
    public void Positive_coefficients()
    {
        // B = (0.5, 1.5), cos = (0.2, −0.4): ((0.5 − 0.1) + (1.5 + 0.6))/2 = (0.4 + 2.1)/2 = 1.25
        Assert.Equal(1.25, L([0.5, 1.5], [0.2, -0.4]), 12);
    }

    [Fact]
    public void Negative_coefficient_keeps_the_loss_non_negative()
    {
        // B = (−1, 2), cos = (0.5, 1): ((1 + 0.5) + (2 − 2))/2 = 0.75
        Assert.Equal(0.75, L([-1, 2], [0.5, 1]), 12);
    }

    [Fact]
    public void Three_modalities_all_aligned_is_zero()
    {
        // cos = 1 and B ≥ 0: |B| − B = 0 for every modality
        Assert.Equal(0.0, L([0.3, 0.9, 1.2], [1, 1, 1]), 12);
    }

    [Fact]
    public void Mismatched_shapes_are_an_error() =>
        Assert.Throws<ArgumentException>(() => DirectionLoss.Compute(torch.tensor(new[] { 1.0, 2.0 }), torch.tensor(new[] { 1.0 })));
}
