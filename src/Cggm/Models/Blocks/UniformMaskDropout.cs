using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Blocks;

/// <summary>
/// Dropout (Srivastava et al., 2014) as in <c>torch.nn.Dropout</c>: in training each element is kept with probability 1 − p
/// and scaled by 1/(1 − p), otherwise zeroed; in evaluation the input passes unchanged. The keep-mask is drawn as
/// u ≥ p with u ~ U[0, 1) from the global generator, which is the same distribution as libtorch's <c>bernoulli_</c> but
/// about twice as fast on the CPU (measured on the attention weights [64, 5, 150, 150]: 43–52 ms against 100 ms). Dropout
/// is half of a MOSI-size forward pass, so this matters; the random stream differs from libtorch's, as ours differs from
/// PyTorch's anyway.
/// </summary>
public sealed class UniformMaskDropout : nn.Module<Tensor, Tensor>
{
    /// <summary>Dropout with probability <paramref name="p"/> ∈ [0, 1).</summary>
    public UniformMaskDropout(double p) : base(nameof(UniformMaskDropout))
    {
        if (p is < 0 or >= 1 || double.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "A dropout probability must be in [0, 1).");
        P = p;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>Any shape → the same shape.</summary>
    public override Tensor forward(Tensor input)
    {
        if (!training || P == 0) return input.alias();
        using var uniform = torch.rand_like(input);
        using var mask = uniform.ge_(P).to(input.dtype).mul_(1.0 / (1.0 - P));
        return input * mask;
    }
}
