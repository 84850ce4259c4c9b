using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// The ResNet-50/101 bottleneck of the released DeepLab backbone (<c>models/segmodel.py</c> <c>Bottleneck</c>, torchvision v1.5
/// style: the stride sits on the 3×3 conv): 1×1 (C_in → p) → 3×3 (p → p, stride s, dilation r, padding r) → 1×1 (p → 4p), each
/// followed by BatchNorm, ReLU after the first two and after the residual sum; the shortcut is the given downsample
/// (1×1 conv + BN) when given. No conv has a bias.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels per planes p.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    /// <summary>A block from <paramref name="inplanes"/> to 4·<paramref name="planes"/> channels.</summary>
    public Bottleneck(long inplanes, long planes, long stride, long dilation, Sequential? downsample) : base(nameof(Bottleneck))
    {
        conv1 = Conv2d(inplanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = BatchNorm2d(planes * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary><c>[B, C_in, H, W]</c> → <c>[B, 4p, H/s, W/s]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = functional.relu(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        return functional.relu(y + (downsample is null ? x : downsample.call(x)));
    }
}

/// <summary>
/// The ResNet-18 basic block (He et al., CVPR 2016) with the dilation of the DeepLab backbone applied to both 3×3 convs
/// (the released code has only the bottleneck; this is the usual dilated basic block): 3×3 (stride s, dilation r) → BN →
/// ReLU → 3×3 (dilation r) → BN, plus the shortcut, then ReLU. No conv has a bias.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Output channels per planes p.</summary>
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>A block from <paramref name="inplanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(long inplanes, long planes, long stride, long dilation, Sequential? downsample) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inplanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary><c>[B, C_in, H, W]</c> → <c>[B, p, H/s, W/s]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        return functional.relu(y + (downsample is null ? x : downsample.call(x)));
    }
}
