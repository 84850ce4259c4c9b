using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// One pre-LayerNorm encoder layer of the released code (<c>modules/transformer.py</c> <c>TransformerEncoderLayer</c>):
/// x ← x + drop_res(SelfAttn(LN₀(x))); x ← x + drop_res(fc2(drop_relu(ReLU(fc1(LN₁(x)))))), with fc1: d → 4d and fc2: 4d → d
/// Xavier-uniform, biases 0.
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    private readonly LayerNorm attentionNorm;
    private readonly MultiheadSelfAttention selfAttention;
    private readonly UniformMaskDropout attentionResidualDropout;
    private readonly LayerNorm feedForwardNorm;
    private readonly Linear fc1;
    private readonly UniformMaskDropout reluDropout;
    private readonly Linear fc2;
    private readonly UniformMaskDropout feedForwardResidualDropout;

    /// <summary>A layer of width <paramref name="dim"/> with <paramref name="heads"/> heads.</summary>
    public TransformerEncoderLayer(long dim, long heads, TransformerDropouts dropouts) : base(nameof(TransformerEncoderLayer))
    {
        attentionNorm = LayerNorm(dim);
        selfAttention = new MultiheadSelfAttention(dim, heads, dropouts.Attention);
        attentionResidualDropout = new UniformMaskDropout(dropouts.Residual);
        feedForwardNorm = LayerNorm(dim);
        fc1 = XavierLinear(dim, 4 * dim);
        reluDropout = new UniformMaskDropout(dropouts.Relu);
        fc2 = XavierLinear(4 * dim, dim);
        feedForwardResidualDropout = new UniformMaskDropout(dropouts.Residual);
        RegisterComponents();
    }

    /// <summary><c>[B, T, d]</c> → <c>[B, T, d]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        x = x + attentionResidualDropout.call(selfAttention.call(attentionNorm.call(x)));
        return FeedForward(x);
    }

    /// <summary>
    /// The first <paramref name="queries"/> positions of <see cref="forward"/>'s output, <c>[B, T, d]</c> → <c>[B, queries, d]</c>:
    /// every position still serves as a key and value, but attention and the feed-forward run for those positions only.
    /// </summary>
    public Tensor ForwardFirst(Tensor x, long queries)
    {
        var attended = selfAttention.ForwardFirst(attentionNorm.call(x), queries);
        return FeedForward(x.narrow(1, 0, queries) + attentionResidualDropout.call(attended));
    }

    private Tensor FeedForward(Tensor x)
    {
        var hidden = reluDropout.call(functional.relu(fc1.call(feedForwardNorm.call(x))));
        return x + feedForwardResidualDropout.call(fc2.call(hidden));
    }

    /// <summary>The released <c>Linear</c> helper: Xavier-uniform weight, zero bias.</summary>
    private static Linear XavierLinear(long input, long output)
    {
        var linear = Linear(input, output);
        using (no_grad())
        {
            init.xavier_uniform_(linear.weight!);
            init.constant_(linear.bias!, 0);
        }
        return linear;
    }
}
