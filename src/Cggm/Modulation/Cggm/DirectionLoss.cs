using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// CGGM's direction term (paper Eq. 11–12):
///   𝓛_gm^t = (1/M) Σ_i [ |B_i^t| − B_i^t · sim(∇θ^𝓕 𝓛, ∇θ^{f_i} 𝓛) ]
/// Minimising it maximises Σ_i B_i · sim(·,·) (Eq. 11) and |B| keeps it ≥ 0. It enters the objective as
/// 𝓛 = 𝓛_task + λ·𝓛_gm (Eq. 13). The grouping of |B_i| inside the sum follows the released code.
/// </summary>
public static class DirectionLoss
{
    /// <summary>𝓛_gm from B (shape <c>[M]</c>) and the cosine terms (shape <c>[M]</c>).</summary>
    public static Tensor Compute(Tensor coefficients, Tensor cosines)
    {
        if (coefficients.shape.Length != 1 || !coefficients.shape.SequenceEqual(cosines.shape))
            throw new ArgumentException($"B and the cosines must both have shape [M]; got [{string.Join(", ", coefficients.shape)}] and [{string.Join(", ", cosines.shape)}].");
        var b = coefficients.to(cosines.dtype);
        return (b.abs() - b * cosines).mean();
    }

    /// <summary>
    /// 𝓛_gm in the released code's order of operations (<c>src/msatrain.py</c> l.116–117):
    /// (float32(Σ_i |B_i|) − (((B_0·cos_0) + B_1·cos_1) + …)) / M, the |B| sum taken in B's own dtype (float64 numpy for
    /// accuracies) and left to right, each B_i rounded to the cosines' dtype before its product. The value equals
    /// <see cref="Compute"/> up to round-off; this one reproduces the released bits (the Reference variant uses it).
    /// </summary>
    public static Tensor ComputeReleased(Tensor coefficients, Tensor cosines)
    {
        if (coefficients.shape.Length != 1 || !coefficients.shape.SequenceEqual(cosines.shape))
            throw new ArgumentException($"B and the cosines must both have shape [M]; got [{string.Join(", ", coefficients.shape)}] and [{string.Join(", ", cosines.shape)}].");
        long m = coefficients.shape[0];
        var magnitude = coefficients.abs();
        var absSum = magnitude[0];
        for (long i = 1; i < m; i++) absSum = absSum + magnitude[i];
        var b = coefficients.to(cosines.dtype);
        var weighted = b[0] * cosines[0];
        for (long i = 1; i < m; i++) weighted = weighted + b[i] * cosines[i];
        return (absSum.to(cosines.dtype) - weighted) / m;
    }

    /// <summary>𝓛 = 𝓛_task + λ·𝓛_gm (Eq. 13).</summary>
    public static Tensor Objective(Tensor taskLoss, double lambda, Tensor directionLoss) => taskLoss + lambda * directionLoss;
}
