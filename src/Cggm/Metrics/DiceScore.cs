using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>
/// Dice coefficient of binary masks, per sample, as the released <c>Dice</c>:
/// D = 2(Σ o·t + ε) / (Σ o + Σ t + 2ε), ε = 1e-3, sums over the spatial dimensions.
/// An empty prediction of an empty region scores 1.
/// </summary>
public static class DiceScore
{
    /// <summary>Smoothing ε of the released code.</summary>
    public const double Epsilon = 1e-3;

    /// <summary>Per-sample Dice of masks <c>[B, H, W]</c> (values 0/1), shape <c>[B]</c>.</summary>
    public static Tensor PerSample(Tensor output, Tensor target)
    {
        long[] dims = Enumerable.Range(1, (int)output.dim() - 1).Select(d => (long)d).ToArray();
        var inter = (output * target).sum(dims) + Epsilon;
        var union = output.sum(dims) + target.sum(dims) + 2 * Epsilon;
        return 2 * inter / union;
    }
}
