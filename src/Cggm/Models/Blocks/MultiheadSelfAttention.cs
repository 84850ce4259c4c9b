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
        CheckInput(x);
        var qkv = functional.linear(x, inProjWeight, inProjBias).chunk(3, -1);
        return Attend(qkv[0], qkv[1], qkv[2]);
    }

    /// <summary>
    /// The outputs of the first <paramref name="queries"/> positions only, <c>[B, T, d]</c> → <c>[B, queries, d]</c>: those
    /// positions' queries against every position's keys and values, the same numbers as <c>forward(x)[:, :queries]</c>
    /// (their dropout masks aside) without the other T − queries rows of the attention map.
    /// </summary>
    public Tensor ForwardFirst(Tensor x, long queries)
    {
        CheckInput(x);
        if (queries < 1 || queries > x.shape[1])
            throw new ArgumentOutOfRangeException(nameof(queries), queries, $"Between 1 and the sequence length {x.shape[1]}.");
        var q = functional.linear(x.narrow(1, 0, queries), inProjWeight.narrow(0, 0, Dim), inProjBias.narrow(0, 0, Dim));
        var kv = functional.linear(x, inProjWeight.narrow(0, Dim, 2 * Dim), inProjBias.narrow(0, Dim, 2 * Dim)).chunk(2, -1);
        return Attend(q, kv[0], kv[1]);
    }

    private void CheckInput(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != Dim)   // checked here: a shape error inside libtorch's matmul aborts the process
            throw new ArgumentException($"Self-attention of width {Dim} expects [B, T, {Dim}]; got [{string.Join(", ", x.shape)}].", nameof(x));
    }

    /// <summary>softmax(q·kᵀ/√(d/h))·v per head, attention dropout, out-projection: q <c>[B, T_q, d]</c>, k and v <c>[B, T, d]</c>.</summary>
    private Tensor Attend(Tensor query, Tensor key, Tensor value)
    {
        long batch = query.shape[0], headDim = Dim / Heads;
        Tensor Split(Tensor t) => t.reshape(batch, t.shape[1], Heads, headDim).transpose(1, 2);     // [B, h, T, d/h]
        var q = Split(query * Math.Pow(headDim, -0.5));
        var k = Split(key);
        var v = Split(value);
        var weights = attentionDropout.call(functional.softmax(torch.matmul(q, k.transpose(2, 3)), -1));   // [B, h, T_q, T]
        var attended = torch.matmul(weights, v).transpose(1, 2).reshape(batch, query.shape[1], Dim);        // [B, T_q, d]
        return outProj.call(attended);
    }
}
