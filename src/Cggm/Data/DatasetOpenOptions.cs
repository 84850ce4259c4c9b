namespace Cggm.Data;

/// <summary>Options a caller may pass when opening a dataset through its descriptor; unset values keep each dataset's defaults.</summary>
public sealed record DatasetOpenOptions
{
    /// <summary>IEMOCAP fold (1–10).</summary>
    public int? Fold { get; init; }

    /// <summary>Seed of seeded choices (BraTS slices and augmentation, Food-101 validation carve, AV-digits pairing).</summary>
    public int? Seed { get; init; }

    /// <summary>IEMOCAP audio frames after padding or truncation (default: the released 350).</summary>
    public int? AudioFrames { get; init; }

    /// <summary>Receives loader notes (truncations, skipped cases, cache writes).</summary>
    public Action<string>? Log { get; init; }
}
