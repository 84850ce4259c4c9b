using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>Gradient geometry used by the balancing methods and the probes: norms, cosines, in-place scaling.</summary>
public static class GradientTools
{
    /// <summary>‖∇θ‖₂ over a parameter group (0 when no parameter has a gradient), as a 0-d tensor.</summary>
    public static Tensor Norm(IReadOnlyList<Parameter> parameters)
    {
        var squares = parameters.Where(p => p.grad is not null).Select(p => p.grad!.pow(2).sum()).ToArray();
        return squares.Length == 0 ? torch.zeros(1, dtype: ScalarType.Float32).squeeze() : torch.stack(squares).sum().sqrt();
    }

    /// <summary>One norm per group, shape <c>[groups]</c>.</summary>
    public static Tensor Norms(IReadOnlyList<IReadOnlyList<Parameter>> groups) =>
        torch.stack(groups.Select(g => Norm(g).to(ScalarType.Float32)).ToArray());

    /// <summary>sim(u, v) = uᵀv / (‖u‖‖v‖) of the flattened tensors (paper §3.3; <c>F.cosine_similarity(dim=0, eps=1e-8)</c> as in <c>cal_cos</c>).</summary>
    public static Tensor Cosine(Tensor u, Tensor v)
    {
        if (u.numel() != v.numel())
            throw new ArgumentException($"Cosine needs tensors with the same number of elements; got [{string.Join(", ", u.shape)}] and [{string.Join(", ", v.shape)}].");
        return nn.functional.cosine_similarity(u.reshape(-1), v.reshape(-1), dim: 0, eps: 1e-8);
    }

    /// <summary>Multiplies every gradient in the group by <paramref name="factor"/> in place (θ.grad ← factor·θ.grad).</summary>
    public static void Scale(IReadOnlyList<Parameter> parameters, Tensor factor)
    {
        using var _ = no_grad();
        foreach (var p in parameters) p.grad?.mul_(factor);
    }

    /// <summary>The gradient of <paramref name="p"/>, or zeros of its shape when it has none.</summary>
    public static Tensor GradOrZeros(Parameter p) => p.grad is { } g ? g : torch.zeros_like(p);
}
