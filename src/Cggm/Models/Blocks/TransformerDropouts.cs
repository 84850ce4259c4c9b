namespace Cggm.Models.Blocks;

/// <summary>
/// The five dropout rates of the released MulT-style models (<c>run/*.py</c> flags of the same names).
/// </summary>
/// <param name="Attention">On the attention weights (<c>attn_dropout</c>).</param>
/// <param name="Relu">After the feed-forward ReLU (<c>relu_dropout</c>).</param>
/// <param name="Residual">On each sub-layer's output before the residual sum (<c>res_dropout</c>).</param>
/// <param name="Embedding">On the scaled input plus positions (<c>embed_dropout</c>).</param>
/// <param name="Output">In the residual head, after proj1's ReLU (<c>out_dropout</c>).</param>
public sealed record TransformerDropouts(double Attention, double Relu, double Residual, double Embedding, double Output)
{
    /// <summary>Throws when a rate is outside [0, 1).</summary>
    public void Validate()
    {
        foreach (var (name, p) in new[] { (nameof(Attention), Attention), (nameof(Relu), Relu), (nameof(Residual), Residual), (nameof(Embedding), Embedding), (nameof(Output), Output) })
            if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(name, p, $"The {name.ToLowerInvariant()} dropout rate must be in [0, 1).");
    }
}
