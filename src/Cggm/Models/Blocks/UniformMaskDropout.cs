using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Blocks;

/// <summary>
/// Dropout (Srivastava et al., 2014) as in <c>torch.nn.Dropout</c>: in training each element is kept with probability 1 − p
/// and scaled by 1/(1 − p), otherwise zeroed; in evaluation the input passes unchanged. The keep-mask is u ≥ p for uniform u:
/// for float32 on the CPU (every model here) u comes from <see cref="SplitMixMask"/>, a counter-based stream seeded from
/// torch's global generator, and the mask is applied by <see cref="SplitMixDropout"/>, one fused pass each way that never
/// stores it; elsewhere (CUDA, other dtypes) from <c>torch.rand_like</c>, applied as <c>x * mask</c>. Either way the
/// distribution is <c>bernoulli_</c>'s; the random stream differs from libtorch's, as ours differs from PyTorch's anyway.
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
        if (input.dtype == ScalarType.Float32 && input.device_type == DeviceType.CPU) return SplitMixDropout.Apply(input, P);
        using var mask = UniformMask(input);
        return input * mask;
    }

    private Tensor UniformMask(Tensor input)
    {
        using var uniform = torch.rand_like(input);
        return uniform.ge_(P).to(input.dtype).mul_(1.0 / (1.0 - P));
    }
}
