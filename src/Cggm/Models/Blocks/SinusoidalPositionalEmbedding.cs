using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Blocks;

/// <summary>
/// Fixed sinusoidal positions of the released MulT/fairseq encoder (<c>modules/position_embedding.py</c>), with its padding
/// rule: time step t of a sequence gets position t (1-based) unless its first feature is exactly 0, in which case it gets
/// position 0, whose vector is all zeros. With half = ⌊d/2⌋ and ω_k = exp(−k·ln(10000)/(half − 1)), k = 0..half−1, the
/// vector of position p is [sin(p·ω_0) … sin(p·ω_{half−1}) | cos(p·ω_0) … cos(p·ω_{half−1})] (tensor2tensor layout, sines
/// then cosines, a zero column appended when d is odd). Not learned, so it has no parameters.
/// </summary>
public sealed class SinusoidalPositionalEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>Positions of width <paramref name="dim"/> (≥ 4, so that half − 1 &gt; 0); see <see cref="TimeMajorScatter"/>.</summary>
    public SinusoidalPositionalEmbedding(long dim, bool timeMajorScatter = false) : base(nameof(SinusoidalPositionalEmbedding))
    {
        if (dim < 4) throw new ArgumentOutOfRangeException(nameof(dim), dim, "The sinusoidal table needs a width of at least 4 (its frequencies divide by ⌊d/2⌋ − 1).");
        Dim = dim;
        TimeMajorScatter = timeMajorScatter;
        RegisterComponents();
    }

    /// <summary>
    /// The released positions of a time-first contiguous input (<see cref="TransformerModelOptions.ReleasedPositionOrder"/>):
    /// <c>make_positions</c> masked-scatters the row-major positions 1..T of each sequence into a clone of the input's
    /// <c>[B, T]</c> first-feature view, and torch 1.13 writes them in that clone's memory order, which for a <c>[T, B, d]</c>
    /// contiguous input is time-major: element (b, t) receives the (t·B + b)-th position of the row-major list, so without
    /// padding ((t·B + b) mod T) + 1 instead of t + 1. The released fusion and classifiers see such inputs; the modality
    /// encoders (fed the permuted Conv1d output) do not.
    /// </summary>
    public bool TimeMajorScatter { get; }

    /// <summary>Width d of each position vector.</summary>
    public long Dim { get; }

    /// <summary>The position vectors for <paramref name="input"/> <c>[B, T, D]</c> (only its first feature is read): <c>[B, T, d]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 3)
            throw new ArgumentException($"Positional embedding expects a sequence batch [B, T, D]; got [{string.Join(", ", input.shape)}].", nameof(input));
        long batch = input.shape[0], steps = input.shape[1];
        var mask = input.select(2, 0).ne(0);                                                   // [B, T]: false = padding
        var counting = torch.arange(1, steps + 1, dtype: ScalarType.Int64, device: input.device).unsqueeze(0).expand(batch, steps);
        var positions = TimeMajorScatter
            ? torch.zeros(steps, batch, ScalarType.Int64, input.device).masked_scatter(mask.t().contiguous(), counting.masked_select(mask)).t()
            : torch.where(mask, counting, torch.zeros_like(counting));                         // [B, T]
        var table = Table(steps + 1, Dim, input.device);                                       // [T + 1, d]
        return table.index_select(0, positions.reshape(-1)).reshape(batch, steps, Dim).to(input.dtype);
    }

    /// <summary>The table of positions 0..<paramref name="count"/>−1 (row 0 zeroed), <c>[count, dim]</c>, float32.</summary>
    public static Tensor Table(long count, long dim, Device? device = null)
    {
        long half = dim / 2;
        double step = Math.Log(10000.0) / (half - 1);
        var frequencies = torch.exp(torch.arange(half, dtype: ScalarType.Float32, device: device) * -step);            // [half]
        var angles = torch.arange(count, dtype: ScalarType.Float32, device: device).unsqueeze(1) * frequencies.unsqueeze(0); // [count, half]
        var table = torch.cat([torch.sin(angles), torch.cos(angles)], 1);
        if (dim % 2 == 1) table = torch.cat([table, torch.zeros(count, 1, device: device)], 1);
        table[0].zero_();                                                                       // padding position
        return table;
    }
}
