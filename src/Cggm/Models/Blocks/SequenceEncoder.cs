using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models.Blocks;

/// <summary>
/// φ_i of the released sequence models (<c>MSAModel</c>, <c>FoodModel</c>): a per-time-step input projection
/// Conv1d(D → d, kernel 1, PyTorch's default init) followed by a <see cref="TransformerEncoder"/>.
/// <c>[B, T, D]</c> → h_i <c>[B, T, d]</c>.
/// </summary>
public sealed class SequenceEncoder : Module<Tensor, Tensor>
{
    private readonly Conv1d projection;
    private readonly TransformerEncoder transformer;

    /// <summary>
    /// Wraps <paramref name="projection"/> (D = <paramref name="inputDim"/> → d) and <paramref name="transformer"/>. The
    /// projection may be shared with another encoder (the released Food model's bug); parameters are then listed once.
    /// </summary>
    public SequenceEncoder(string name, long inputDim, Conv1d projection, TransformerEncoder transformer) : base(name)
    {
        InputDim = inputDim;
        this.projection = projection;
        this.transformer = transformer;
        RegisterComponents();
    }

    /// <summary>Creates the released projection Conv1d(<paramref name="inputDim"/> → <paramref name="dim"/>, kernel 1).</summary>
    public static Conv1d CreateProjection(long inputDim, long dim) => Conv1d(inputDim, dim, kernel_size: 1);

    /// <summary>Feature width D of the input.</summary>
    public long InputDim { get; }

    /// <summary>The input projection.</summary>
    public Conv1d Projection => projection;

    /// <summary>The transformer encoder (the part the released code scales: <c>encoders.{i}</c>).</summary>
    public TransformerEncoder Transformer => transformer;

    /// <summary><c>[B, T, D]</c> → <c>[B, T, d]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != InputDim)
            throw new ArgumentException($"Encoder '{GetName()}' expects sequences [B, T, {InputDim}]; got [{string.Join(", ", x.shape)}].", nameof(x));
        var projected = projection.call(x.transpose(1, 2)).transpose(1, 2);   // Conv1d works on [B, D, T]
        return transformer.call(projected);
    }
}
