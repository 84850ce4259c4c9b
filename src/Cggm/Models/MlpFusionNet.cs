using Cggm.Data;
using Cggm.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models;

/// <summary>
/// A small late-fusion network for vector modalities (the synthetic benchmark): per modality an MLP encoder
/// φ_i: x <c>[B, D_i]</c> → h_i <c>[B, H]</c>; fusion Ω: concat → Linear(M·H → H) → ReLU; head 𝓕: Linear(H → H) → ReLU → Linear(H → K).
/// K = classes, or 1 for regression. Trains in milliseconds per step on a CPU.
/// </summary>
public sealed class MlpFusionNet : MultimodalModel
{
    private readonly ModuleList<Module<Tensor, Tensor>> encoders;
    private readonly ConcatFusion fusion;
    private readonly Sequential head;
    private readonly Linear outLayer;

    /// <summary>Builds the network for <paramref name="inputs"/> (each a vector modality) with <paramref name="outputs"/> outputs.</summary>
    public MlpFusionNet(IReadOnlyList<ModalityInfo> inputs, int outputs, int hidden = 32, int encoderDepth = 2)
        : base(nameof(MlpFusionNet), inputs)
    {
        if (inputs.Any(i => i.Shape.Length != 1))
            throw new ArgumentException("MlpFusionNet takes vector modalities (sample shape [D]).", nameof(inputs));
        Hidden = hidden;
        Outputs = outputs;
        encoders = new ModuleList<Module<Tensor, Tensor>>(inputs.Select(i => (Module<Tensor, Tensor>)Mlp(i.Shape[0], hidden, encoderDepth)).ToArray());
        fusion = new ConcatFusion(inputs.Count * hidden, hidden);
        outLayer = Linear(hidden, outputs);
        head = Sequential(("proj", Linear(hidden, hidden)), ("relu", ReLU()), ("out", outLayer));
        RegisterComponents();
    }

    /// <summary>Width H of every feature h_i and of the fused feature.</summary>
    public int Hidden { get; }

    /// <summary>Number of outputs K.</summary>
    public int Outputs { get; }

    /// <inheritdoc />
    public override Module<Tensor, Tensor> Encoder(int modality) => encoders[modality];

    /// <inheritdoc />
    public override Module<Tensor[], Tensor> Fusion => fusion;

    /// <inheritdoc />
    public override Module<Tensor, Tensor> Head => head;

    /// <inheritdoc />
    public override Parameter HeadOutputWeight => outLayer.weight!;

    /// <inheritdoc />
    public override ModalityClassifier CreateModalityClassifier(int modality) => new MlpModalityClassifier(Hidden, Outputs);

    /// <summary>A ReLU MLP D → H (→ H …) with <paramref name="depth"/> linear layers, ReLU after each.</summary>
    internal static Sequential Mlp(long input, int hidden, int depth)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int d = 0; d < depth; d++)
        {
            layers.Add(($"fc{d + 1}", Linear(d == 0 ? input : hidden, hidden)));
            layers.Add(($"relu{d + 1}", ReLU()));
        }
        return Sequential(layers);
    }
}

/// <summary>f_i for <see cref="MlpFusionNet"/>: Linear(H → H) → ReLU → Linear(H → K), the same shape as the head.</summary>
public sealed class MlpModalityClassifier : ModalityClassifier
{
    private readonly Linear proj;
    private readonly Linear outLayer;

    /// <summary>A classifier from features of width <paramref name="hidden"/> to <paramref name="outputs"/> outputs.</summary>
    public MlpModalityClassifier(int hidden, int outputs) : base(nameof(MlpModalityClassifier))
    {
        proj = Linear(hidden, hidden);
        outLayer = Linear(hidden, outputs);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Parameter OutputWeight => outLayer.weight!;

    // [B, H] → [B, K]
    /// <inheritdoc />
    public override Tensor forward(Tensor h) => outLayer.call(functional.relu(proj.call(h)));
}
