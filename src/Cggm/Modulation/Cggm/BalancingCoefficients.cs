using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM's magnitude balancing term (paper Eq. 6–7).
///   Δε_i^t = ε_i^t − ε_i^{t−1}, with ε^0 = 0                                       (Eq. 6)
///   B_i^t  = ρ · Σ_{k≠i} Δε_k^t / Σ_k Δε_k^t                                          (Eq. 7)
/// A modality that improves fast gets a small B, one that lags gets a large B; Σ_i B_i = ρ(M − 1).
/// Σ_k Δε_k is often exactly 0 (accuracies are multiples of 1/batch). The released code adds 1e-8 to the denominator
/// (and to the numerator's Σ), so B jumps to about ±1e6 there. With the guard on, any step with |Σ_k Δε_k| below the
/// threshold instead takes the neutral value ρ(M − 1)/M, the B every modality gets when all improve equally.
/// </summary>
public static class BalancingCoefficients
{
    /// <summary>The released code's additive epsilon.</summary>
    public const double ReleasedEpsilon = 1e-8;

    /// <summary>Δε^t = ε^t − ε^{t−1} (Eq. 6).</summary>
    public static Tensor Improvement(Tensor utilization, Tensor previous) => utilization - previous;

    /// <summary>
    /// B^t from Δε^t (shape <c>[M]</c>, float64 or float32: the arithmetic stays in that dtype, as the released code's) and ρ. With <paramref name="guard"/> false this is exactly the released code's
    /// <c>ρ·(diff_sum − d_i)/diff_sum</c>, <c>diff_sum = Σ d + 1e-8</c>; with it true, steps where |Σ Δε| &lt; <paramref name="threshold"/> give ρ(M − 1)/M.
    /// </summary>
    public static Tensor Compute(Tensor deltaUtilization, double rho, bool guard, double threshold = 1e-6)
    {
        if (deltaUtilization.dim() != 1 || deltaUtilization.shape[0] < 2)
            throw new ArgumentException($"Eq. 7 needs a vector of M ≥ 2 improvements; got shape [{string.Join(", ", deltaUtilization.shape)}].", nameof(deltaUtilization));
        // In ε's own dtype (float64 for accuracies, float32 for Dice: LearningTask.UtilizationType), and Σ summed left to right as
        // Python's sum(diff): with k/12 accuracies the residue of a cancelling sum (~1e-17) depends on the order.
        var delta = deltaUtilization.is_floating_point() ? deltaUtilization : deltaUtilization.to(ScalarType.Float64);
        long m = delta.shape[0];
        var sum = delta[0];
        for (long i = 1; i < m; i++) sum = sum + delta[i];
        if (!guard)
        {
            var diffSum = sum + ReleasedEpsilon;
            return rho * (diffSum - delta) / diffSum;
        }
        var degenerate = sum.abs().lt(threshold);
        var safeSum = torch.where(degenerate, torch.ones_like(sum), sum);
        var b = rho * (sum - delta) / safeSum;
        return torch.where(degenerate, torch.full_like(b, rho * (m - 1) / m), b);
    }
}
