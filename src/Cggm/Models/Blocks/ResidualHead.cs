using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// 𝓕 of the released sequence models: z' = proj2(drop_out(ReLU(proj1(z)))) + z, ŷ = out_layer(z'), all <c>nn.Linear</c>
/// with PyTorch's default init. <c>[B, d]</c> → <c>[B, K]</c>. <see cref="OutputWeight"/> (out_layer, <c>[K, d]</c>) is the
/// weight the direction term compares.
/// </summary>
public sealed class ResidualHead : Module<Tensor, Tensor>
{
    private readonly Linear proj1;
    private readonly UniformMaskDropout outputDropout;
    private readonly Linear proj2;
    private readonly Linear outLayer;

    /// <summary>A head from width <paramref name="dim"/> to <paramref name="outputs"/> outputs.</summary>
    public ResidualHead(long dim, long outputs, double dropout) : base(nameof(ResidualHead))
    {
        Dim = dim;
        proj1 = Linear(dim, dim);
        outputDropout = new UniformMaskDropout(dropout);
        proj2 = Linear(dim, dim);
        outLayer = Linear(dim, outputs);
        RegisterComponents();
    }

    /// <summary>Input width d.</summary>
    public long Dim { get; }

    /// <summary>The output layer's weight <c>[K, d]</c>.</summary>
    public Parameter OutputWeight => outLayer.weight!;

    /// <summary><c>[B, d]</c> → <c>[B, K]</c>.</summary>
    public override Tensor forward(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != Dim)
            throw new ArgumentException($"The head expects the fused token [B, {Dim}]; got [{string.Join(", ", z.shape)}].", nameof(z));
        var residual = proj2.call(outputDropout.call(functional.relu(proj1.call(z)))) + z;
        return outLayer.call(residual);
    }
}
