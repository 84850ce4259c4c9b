using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>Ω for vector features: concatenation [h_1; …; h_M] followed by Linear → ReLU. <c>M × [B, H_i]</c> → <c>[B, output]</c>.</summary>
public sealed class ConcatFusion : Module<Tensor[], Tensor>
{
    private readonly Linear proj;

    /// <summary>A fusion of features whose widths sum to <paramref name="input"/>, to width <paramref name="output"/>.</summary>
    public ConcatFusion(long input, long output) : base(nameof(ConcatFusion))
    {
        Input = input;
        proj = Linear(input, output);
        RegisterComponents();
    }

    /// <summary>The summed feature width Σ H_i.</summary>
    public long Input { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor[] features)
    {
        long width = features.Sum(f => f.dim() == 2 ? f.shape[1] : -1);
        if (features.Any(f => f.dim() != 2) || width != Input)
            throw new ArgumentException($"ConcatFusion joins vector features [B, H_i] of total width {Input}; got {string.Join(", ", features.Select(f => $"[{string.Join(", ", f.shape)}]"))}.");
        return functional.relu(proj.call(torch.cat(features, 1)));
    }
}
