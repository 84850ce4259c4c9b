using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// Multi-head self-attention of the released code (<c>modules/multihead_attention.py</c>, adapted from fairseq), written out:
/// [q | k | v] = x·W_inᵀ + b_in with W_in <c>[3d, d]</c> (Xavier-uniform) and b_in = 0; q ← q·(d/h)^−½; per head,
/// A = dropout(softmax(q·kᵀ)); output = W_out·(A·v) + b_out with W_out Xavier-uniform and b_out = 0. No mask (the released
/// encoders never pass one). Batch-first here (<c>[B, T, d]</c>); the released code is time-first, with the same result.
/// </summary>
public sealed class MultiheadSelfAttention : Module<Tensor, Tensor>
{
    private readonly Parameter inProjWeight;
    private readonly Parameter inProjBias;
    private readonly UniformMaskDropout attentionDropout;
    private readonly Linear outProj;

    /// <summary>Attention over width <paramref name="dim"/> with <paramref name="heads"/> heads (d divisible by h).</summary>
    public MultiheadSelfAttention(long dim, long heads, double dropout) : base(nameof(MultiheadSelfAttention))
    {
        if (heads < 1 || dim % heads != 0)
            throw new ArgumentException($"The model width ({dim}) must be divisible by the number of heads ({heads}).", nameof(heads));
        Dim = dim;
        Heads = heads;
        inProjWeight = Parameter(torch.empty(3 * dim, dim));
        inProjBias = Parameter(torch.zeros(3 * dim));
        attentionDropout = new UniformMaskDropout(dropout);
        outProj = Linear(dim, dim);
        using (no_grad())
        {
            init.xavier_uniform_(inProjWeight);
            init.xavier_uniform_(outProj.weight!);
            init.constant_(outProj.bias!, 0);
        }
        RegisterComponents();
    }

    /// <summary>Model width d.</summary>
    public long Dim { get; }

    /// <summary>Number of heads h.</summary>
    public long Heads { get; }

    /// <summary><c>[B, T, d]</c> → <c>[B, T, d]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != Dim)   // checked here: a shape error inside libtorch's matmul aborts the process
            throw new ArgumentException($"Self-attention of width {Dim} expects [B, T, {Dim}]; got [{string.Join(", ", x.shape)}].", nameof(x));
        long batch = x.shape[0], steps = x.shape[1], headDim = Dim / Heads;
        var qkv = functional.linear(x, inProjWeight, inProjBias).chunk(3, -1);
        Tensor Split(Tensor t) => t.reshape(batch, steps, Heads, headDim).transpose(1, 2);     // [B, h, T, d/h]
        var q = Split(qkv[0] * Math.Pow(headDim, -0.5));
        var k = Split(qkv[1]);
        var v = Split(qkv[2]);
        var weights = attentionDropout.call(functional.softmax(torch.matmul(q, k.transpose(2, 3)), -1));   // [B, h, T, T]
        var attended = torch.matmul(weights, v).transpose(1, 2).reshape(batch, steps, Dim);                 // [B, T, d]
        return outProj.call(attended);
    }
}
