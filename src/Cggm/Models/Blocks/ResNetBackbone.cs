using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>ResNet depths the DeepLab encoder can use (the paper's is ResNet-101).</summary>
public enum ResNetDepth
{
    /// <summary>Basic blocks [2, 2, 2] in layers 1–3.</summary>
    ResNet18 = 18,

    /// <summary>Bottlenecks [3, 4, 6] in layers 1–3.</summary>
    ResNet50 = 50,

    /// <summary>Bottlenecks [3, 4, 23] in layers 1–3 (the released <c>ResNet101</c>).</summary>
    ResNet101 = 101,
}

/// <summary>
/// The dilated ResNet of the released DeepLab v3+ (<c>models/segmodel.py</c> <c>ResNet</c>, after Chen et al., ECCV 2018),
/// trained from scratch on a 1-channel slice: stem 7×7/2 conv (W channels) → BN → ReLU → 3×3/2 max-pool; layer1..3 with
/// strides [1, 2, 2] (output stride 16) or [1, 2, 1] with dilation 2 in layer3 (output stride 8); layer4 is always the
/// 3-block multi-grid unit [1, 2, 4] × dilation (2 at stride 16, 4 at stride 8), stride 1, as released (which ignores the
/// fourth layer count). Planes W, 2W, 4W, 8W (W = 64 as released). Init as released: every conv ~ N(0, √(2/(k²·C_out))),
/// BN γ = 1, β = 0. <c>[B, C, H, W]</c> → (high <c>[B, 8W·e, H/os, W/os]</c>, low-level = layer1 output <c>[B, W·e, H/4, W/4]</c>),
/// e = block expansion (1 basic, 4 bottleneck).
/// </summary>
public sealed class ResNetBackbone : Module<Tensor, (Tensor High, Tensor Low)>
{
    private static readonly int[] MultiGrid = [1, 2, 4];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    /// <summary>A backbone of <paramref name="depth"/> over <paramref name="inputChannels"/> channels, base width <paramref name="width"/>.</summary>
    public ResNetBackbone(ResNetDepth depth, long inputChannels, int outputStride, long width = 64) : base(nameof(ResNetBackbone))
    {
        var (strides, dilations) = outputStride switch
        {
            16 => (new long[] { 1, 2, 2, 1 }, new long[] { 1, 1, 1, 2 }),
            8 => (new long[] { 1, 2, 1, 1 }, new long[] { 1, 1, 2, 4 }),
            _ => throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "The DeepLab backbone supports output stride 16 or 8."),
        };
        int[] counts = depth switch
        {
            ResNetDepth.ResNet18 => [2, 2, 2],
            ResNetDepth.ResNet50 => [3, 4, 6],
            ResNetDepth.ResNet101 => [3, 4, 23],
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "Choose ResNet18, ResNet50 or ResNet101."),
        };
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The base width must be positive.");
        Depth = depth;
        Expansion = depth == ResNetDepth.ResNet18 ? BasicBlock.Expansion : Bottleneck.Expansion;
        long inplanes = width;
        conv1 = Conv2d(inputChannels, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(width);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        layer1 = Layer(ref inplanes, width, Enumerable.Repeat(dilations[0], counts[0]), strides[0]);
        layer2 = Layer(ref inplanes, 2 * width, Enumerable.Repeat(dilations[1], counts[1]), strides[1]);
        layer3 = Layer(ref inplanes, 4 * width, Enumerable.Repeat(dilations[2], counts[2]), strides[2]);
        layer4 = Layer(ref inplanes, 8 * width, MultiGrid.Select(g => g * dilations[3]), strides[3]);
        LowLevelChannels = width * Expansion;
        OutputChannels = inplanes;
        RegisterComponents();
        using (no_grad())
        {
            foreach (var module in modules())
            {
                if (module is Conv2d conv)
                {
                    var w = conv.weight!.shape;   // [C_out, C_in, k, k]
                    init.normal_(conv.weight, 0, Math.Sqrt(2.0 / (w[2] * w[3] * w[0])));
                }
                else if (module is BatchNorm2d bn)
                {
                    init.constant_(bn.weight!, 1);
                    init.constant_(bn.bias!, 0);
                }
            }
        }
    }

    /// <summary>The depth.</summary>
    public ResNetDepth Depth { get; }

    /// <summary>Block expansion e (1 for basic blocks, 4 for bottlenecks).</summary>
    public long Expansion { get; }

    /// <summary>Channels of the low-level (layer1) features: W·e.</summary>
    public long LowLevelChannels { get; }

    /// <summary>Channels of the layer4 output: 8W·e.</summary>
    public long OutputChannels { get; }

    /// <summary>(layer4 output, layer1 output).</summary>
    public override (Tensor High, Tensor Low) forward(Tensor x)
    {
        var low = layer1.call(maxpool.call(functional.relu(bn1.call(conv1.call(x)))));
        return (layer4.call(layer3.call(layer2.call(low))), low);
    }

    /// <summary>One stage: the first block carries the stride and the 1×1 + BN shortcut when the shape changes.</summary>
    private Sequential Layer(ref long inplanes, long planes, IEnumerable<long> blockDilations, long stride)
    {
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        foreach (var dilation in blockDilations)
        {
            bool first = blocks.Count == 0;
            long blockStride = first ? stride : 1;
            Sequential? shortcut = first && (stride != 1 || inplanes != planes * Expansion)
                ? Sequential(("0", Conv2d(inplanes, planes * Expansion, 1, stride: stride, bias: false)), ("1", BatchNorm2d(planes * Expansion)))
                : null;
            Module<Tensor, Tensor> block = Expansion == Bottleneck.Expansion
                ? new Bottleneck(inplanes, planes, blockStride, dilation, shortcut)
                : new BasicBlock(inplanes, planes, blockStride, dilation, shortcut);
            blocks.Add((blocks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            inplanes = planes * Expansion;
        }
        return Sequential(blocks);
    }
}
