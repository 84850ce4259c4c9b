using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// The released MulT/fairseq encoder (<c>modules/transformer.py</c> <c>TransformerEncoder</c>, after Tsai et al., ACL 2019):
/// x = drop_embed(√d·x_in + PE(x_in)), then N pre-LayerNorm <see cref="TransformerEncoderLayer"/>s, then a final LayerNorm.
/// PE is <see cref="SinusoidalPositionalEmbedding"/>, whose padding rule reads the first feature of x_in. Batch-first here
/// (<c>[B, T, d]</c> in and out).
/// </summary>
public sealed class TransformerEncoder : Module<Tensor, Tensor>
{
    private readonly SinusoidalPositionalEmbedding positions;
    private readonly UniformMaskDropout embeddingDropout;
    private readonly ModuleList<TransformerEncoderLayer> layers;
    private readonly LayerNorm finalNorm;

    /// <summary>An encoder of <paramref name="layerCount"/> layers of width <paramref name="dim"/> with <paramref name="heads"/> heads.</summary>
    /// <param name="dim">Model width d.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="layerCount">Layers N.</param>
    /// <param name="dropouts">Dropout rates.</param>
    /// <param name="releasedPositionOrder">The released position order of a time-first input (<see cref="SinusoidalPositionalEmbedding.TimeMajorScatter"/>).</param>
    public TransformerEncoder(long dim, long heads, int layerCount, TransformerDropouts dropouts, bool releasedPositionOrder = false) : base(nameof(TransformerEncoder))
    {
        if (layerCount < 0) throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "The number of layers cannot be negative.");
        dropouts.Validate();
        Dim = dim;
        LayerCount = layerCount;
        positions = new SinusoidalPositionalEmbedding(dim, releasedPositionOrder);
        embeddingDropout = new UniformMaskDropout(dropouts.Embedding);
        layers = new ModuleList<TransformerEncoderLayer>(Enumerable.Range(0, layerCount).Select(_ => new TransformerEncoderLayer(dim, heads, dropouts)).ToArray());
        finalNorm = LayerNorm(dim);
        RegisterComponents();
    }

    /// <summary>Model width d.</summary>
    public long Dim { get; }

    /// <summary>Number of layers N.</summary>
    public int LayerCount { get; }

    /// <summary><c>[B, T, d]</c> → <c>[B, T, d]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        var x = Embed(input);
        foreach (var layer in layers) x = layer.call(x);
        return finalNorm.call(x);
    }

    /// <summary>
    /// Token 0 of <see cref="forward"/>'s output, <c>[B, T, d]</c> → <c>[B, d]</c>, for readers that keep only that token (the
    /// fusion's prediction token, the classifiers' first token). The last layer runs for token 0 alone
    /// (<see cref="TransformerEncoderLayer.ForwardFirst"/>): the other positions' last-layer outputs reach nothing, so the
    /// value and every gradient are unchanged (tested), while the last layer's attention map shrinks from T × T rows to 1 × T
    /// and its feed-forward from T positions to one. Dropout draws fewer masks, so the random stream differs from forward's.
    /// </summary>
    public Tensor ForwardFirstToken(Tensor input)
    {
        var x = Embed(input);
        for (int i = 0; i < LayerCount - 1; i++) x = layers[i].call(x);
        x = LayerCount > 0 ? layers[LayerCount - 1].ForwardFirst(x, 1) : x.narrow(1, 0, 1);
        return finalNorm.call(x).select(1, 0);
    }

    /// <summary>drop_embed(√d·x + PE(x)).</summary>
    private Tensor Embed(Tensor input)
    {
        if (input.dim() != 3 || input.shape[2] != Dim)
            throw new ArgumentException($"The transformer encoder of width {Dim} expects [B, T, {Dim}]; got [{string.Join(", ", input.shape)}].", nameof(input));
        return embeddingDropout.call(Math.Sqrt(Dim) * input + positions.call(input));
    }
}
