using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// The DeepLab v3+ decoder of the released code (<c>models/segmodel.py</c> <c>Decoder</c>) up to, not including, its last 1×1
/// conv (that conv is <see cref="SegmentationHead"/>). Each input is one modality's <see cref="DeepLabEncoder"/> output
/// [ASPP (A channels, already at low-level size) | low-level (L channels)]. With n inputs (4 for the fusion, 1 for a
/// modality classifier): low = ReLU(BN(1×1 conv(cat of the n low-level parts) → R)); x = cat(the n ASPP parts, low)
/// (n·A + R channels) → 3×3 conv → BN → ReLU → dropout → 3×3 conv → BN → ReLU → dropout; C channels out.
/// Released: A = L = 256 (ResNet-50/101), R = 48, C = 256, dropouts 0.5 and 0.1. Init: Kaiming-normal convs, BN γ = 1, β = 0.
/// n × <c>[B, A + L, h, w]</c> → <c>[B, C, h, w]</c>.
/// </summary>
public sealed class DeepLabDecoder : Module<Tensor[], Tensor>
{
    private readonly Conv2d lowLevelConv;
    private readonly BatchNorm2d lowLevelBn;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly UniformMaskDropout dropout1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly UniformMaskDropout dropout2;

    /// <summary>A decoder over <paramref name="inputs"/> encoder outputs.</summary>
    public DeepLabDecoder(int inputs, long asppChannels, long lowLevelChannels, long reduction, long channels, double dropout1Rate, double dropout2Rate)
        : base(nameof(DeepLabDecoder))
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The decoder needs at least one input.");
        Inputs = inputs;
        AsppChannels = asppChannels;
        LowLevelChannels = lowLevelChannels;
        Channels = channels;
        lowLevelConv = Conv2d(inputs * lowLevelChannels, reduction, 1, bias: false);
        lowLevelBn = BatchNorm2d(reduction);
        conv1 = Conv2d(inputs * asppChannels + reduction, channels, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(channels);
        dropout1 = new UniformMaskDropout(dropout1Rate);
        conv2 = Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(channels);
        dropout2 = new UniformMaskDropout(dropout2Rate);
        RegisterComponents();
        Aspp.KaimingInit(this);
    }

    /// <summary>Number n of encoder outputs it reads.</summary>
    public int Inputs { get; }

    /// <summary>ASPP channels A of each input.</summary>
    public long AsppChannels { get; }

    /// <summary>Low-level channels L of each input.</summary>
    public long LowLevelChannels { get; }

    /// <summary>Output channels C.</summary>
    public long Channels { get; }

    /// <summary>n × <c>[B, A + L, h, w]</c> → <c>[B, C, h, w]</c>.</summary>
    public override Tensor forward(Tensor[] features)
    {
        if (features.Length != Inputs)
            throw new ArgumentException($"The decoder reads {Inputs} encoder outputs; got {features.Length}.", nameof(features));
        var first = features[0].shape;
        foreach (var f in features)
            if (f.dim() != 4 || f.shape[0] != first[0] || f.shape[1] != AsppChannels + LowLevelChannels || f.shape[2] != first[2] || f.shape[3] != first[3])
                throw new ArgumentException($"The decoder expects every input as [B, {AsppChannels + LowLevelChannels}, h, w] (ASPP {AsppChannels} + low-level {LowLevelChannels}) " +
                                            $"with one B, h, w; got [{string.Join(", ", f.shape)}] next to [{string.Join(", ", first)}].", nameof(features));
        var aspp = torch.cat(features.Select(f => f.narrow(1, 0, AsppChannels)).ToArray(), 1);
        var low = torch.cat(features.Select(f => f.narrow(1, AsppChannels, LowLevelChannels)).ToArray(), 1);
        low = functional.relu(lowLevelBn.call(lowLevelConv.call(low)));
        var x = dropout1.call(functional.relu(bn1.call(conv1.call(torch.cat([aspp, low], 1)))));
        return dropout2.call(functional.relu(bn2.call(conv2.call(x))));
    }
}
