using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// Atrous spatial pyramid pooling of DeepLab v3 (Chen et al., 2017; released <c>models/segmodel.py</c> <c>ASPP</c>): a 1×1 conv,
/// three 3×3 convs at dilations r₁, r₂, r₃ (released 2, 4, 6 at output stride 16, where standard DeepLab uses 6, 12, 18) and
/// image pooling (global average → 1×1 conv → bilinear back to the map size), each conv → BN → ReLU with C channels;
/// the 5C concatenation → 1×1 conv → BN → ReLU → dropout. Convs have no bias and Kaiming-normal weights; BN γ = 1, β = 0.
/// <c>[B, C_in, h, w]</c> → <c>[B, C, h, w]</c>.
/// </summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    private readonly Sequential branch1;
    private readonly Sequential branch2;
    private readonly Sequential branch3;
    private readonly Sequential branch4;
    private readonly Sequential imagePooling;
    private readonly Conv2d project;
    private readonly BatchNorm2d projectBn;
    private readonly UniformMaskDropout dropout;

    /// <summary>ASPP from <paramref name="inputChannels"/> to <paramref name="channels"/> with three atrous <paramref name="dilations"/>.</summary>
    public Aspp(long inputChannels, long channels, IReadOnlyList<int> dilations, double dropoutRate) : base(nameof(Aspp))
    {
        if (dilations.Count != 3 || dilations.Any(d => d < 1))
            throw new ArgumentException($"ASPP takes three positive dilations (released: 2, 4, 6); got [{string.Join(", ", dilations)}].", nameof(dilations));
        branch1 = Branch(Conv2d(inputChannels, channels, 1, bias: false), channels);
        branch2 = Branch(Conv2d(inputChannels, channels, 3, padding: dilations[0], dilation: dilations[0], bias: false), channels);
        branch3 = Branch(Conv2d(inputChannels, channels, 3, padding: dilations[1], dilation: dilations[1], bias: false), channels);
        branch4 = Branch(Conv2d(inputChannels, channels, 3, padding: dilations[2], dilation: dilations[2], bias: false), channels);
        imagePooling = Sequential(("pool", AdaptiveAvgPool2d(1)), ("conv", Conv2d(inputChannels, channels, 1, bias: false)),
                                  ("bn", BatchNorm2d(channels)), ("relu", ReLU()));
        project = Conv2d(5 * channels, channels, 1, bias: false);
        projectBn = BatchNorm2d(channels);
        dropout = new UniformMaskDropout(dropoutRate);
        RegisterComponents();
        KaimingInit(this);
    }

    /// <summary>Map <c>[B, C_in, h, w]</c> → <c>[B, C, h, w]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        var x4 = branch4.call(x);
        var pooled = functional.interpolate(imagePooling.call(x), size: [x4.shape[2], x4.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true);
        var all = torch.cat([branch1.call(x), branch2.call(x), branch3.call(x), x4, pooled], 1);
        return dropout.call(functional.relu(projectBn.call(project.call(all))));
    }

    private static Sequential Branch(Conv2d conv, long channels) => Sequential(("conv", conv), ("bn", BatchNorm2d(channels)), ("relu", ReLU()));

    /// <summary>The released ASPP/decoder init: Kaiming-normal (fan-in, gain √2) conv weights, BN γ = 1, β = 0; conv biases keep PyTorch's default.</summary>
    internal static void KaimingInit(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var m in module.modules())
        {
            if (m is Conv2d conv) init.kaiming_normal_(conv.weight!);
            else if (m is BatchNorm2d bn)
            {
                init.constant_(bn.weight!, 1);
                init.constant_(bn.bias!, 0);
            }
        }
    }
}
