using Cggm.Models.Blocks;
using TransformerEncoder = Cggm.Models.Blocks.TransformerEncoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models;

/// <summary>
/// f_i of the released sequence models (<c>models/msamodel.py</c> <c>Classifier</c>, built by <c>ClassifierGuided</c>; paper
/// Eq. 5: "1–2 multi-head self-attention layers plus one fully connected layer"): a <see cref="TransformerEncoder"/> of
/// <c>cls_layers</c> layers over h_i, its first token (computed alone in the last layer,
/// <see cref="TransformerEncoder.ForwardFirstToken"/>), proj1 (applied twice in the released code, see
/// <see cref="TransformerModelOptions.RepeatClassifierProjection"/>) with a ReLU, and out_layer, shaped like the head's output layer.
/// Uses the model's attention, ReLU, residual and embedding dropouts (no output dropout), as released.
/// <c>[B, T, d]</c> → <c>[B, K]</c>.
/// </summary>
public sealed class TransformerModalityClassifier : ModalityClassifier
{
    private readonly TransformerEncoder bone;
    private readonly Linear proj1;
    private readonly Linear outLayer;

    /// <summary>A classifier over features of width <paramref name="dim"/> with <paramref name="outputs"/> outputs.</summary>
    /// <param name="dim">Feature width d.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="layers">Transformer layers (<c>cls_layers</c>).</param>
    /// <param name="outputs">Outputs K.</param>
    /// <param name="dropouts">Dropout rates (the output dropout is not used).</param>
    /// <param name="repeatProjection">Apply proj1 twice, as released.</param>
    /// <param name="releasedPositionOrder">The released position order of the (time-first) features, <see cref="TransformerModelOptions.ReleasedPositionOrder"/>.</param>
    public TransformerModalityClassifier(long dim, long heads, int layers, long outputs, TransformerDropouts dropouts, bool repeatProjection, bool releasedPositionOrder = false)
        : base(nameof(TransformerModalityClassifier))
    {
        Dim = dim;
        RepeatProjection = repeatProjection;
        bone = new TransformerEncoder(dim, heads, layers, dropouts, releasedPositionOrder);
        proj1 = Linear(dim, dim);
        outLayer = Linear(dim, outputs);
        RegisterComponents();
    }

    /// <summary>Feature width d.</summary>
    public long Dim { get; }

    /// <summary>True when proj1 is applied twice (the released behaviour).</summary>
    public bool RepeatProjection { get; }

    /// <inheritdoc />
    public override Parameter OutputWeight => outLayer.weight!;

    /// <summary>h_i <c>[B, T, d]</c> → ŷ_{m_i} <c>[B, K]</c>.</summary>
    public override Tensor forward(Tensor h)
    {
        if (h.dim() != 3 || h.shape[2] != Dim)
            throw new ArgumentException($"The modality classifier expects encoder features [B, T, {Dim}]; got [{string.Join(", ", h.shape)}].", nameof(h));
        var x = bone.ForwardFirstToken(h);
        if (RepeatProjection) x = proj1.call(x);
        return outLayer.call(functional.relu(proj1.call(x)));
    }
}
