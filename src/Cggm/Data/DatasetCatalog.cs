using Cggm.IO;
namespace Cggm.Data;

/// <summary>Options a caller may pass when opening a dataset by name; unset values keep each dataset's defaults.</summary>
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

/// <summary>
/// The datasets by name (<c>synthetic</c>, <c>mosi</c>, <c>iemocap</c>, <c>food101</c>, <c>brats2021</c>, <c>av-digits</c>) and where their
/// files live: the data root is <c>--data-root</c>, else the <c>CGGM_DATA</c> environment variable, else <c>./data</c>;
/// each dataset sits in the folder of its name below it (<c>data/mosi</c>, …) unless an explicit root is given.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The environment variable naming the data root.</summary>
    public const string DataRootVariable = "CGGM_DATA";

    /// <summary>Dataset names, as used by <c>cggm data</c> and <c>--dataset</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["synthetic", "mosi", "iemocap", "food101", "brats2021", AvDigits.DatasetName];

    /// <summary>
    /// The data root: <paramref name="dataRoot"/>, else <c>$CGGM_DATA</c>, else <c>./data</c> (absolute). Inside a clone, <c>./data</c>
    /// is the clone's <c>data/</c> folder from any working directory (a notebook runs in <c>notebooks/</c>, a test in its
    /// <c>bin/</c> folder); outside one it is relative to the working directory.
    /// </summary>
    public static string DataRoot(string? dataRoot = null)
    {
        var chosen = !string.IsNullOrWhiteSpace(dataRoot) ? dataRoot
            : Environment.GetEnvironmentVariable(DataRootVariable) is { Length: > 0 } env ? env
            : Path.Combine(RepositoryPaths.Root, "data");
        return Path.GetFullPath(chosen);
    }

    /// <summary>The folder of dataset <paramref name="name"/>: <paramref name="root"/> if given, else <c>&lt;data root&gt;/&lt;name&gt;</c>.</summary>
    public static string DatasetRoot(string name, string? root = null, string? dataRoot = null) =>
        !string.IsNullOrWhiteSpace(root) ? Path.GetFullPath(root) : Path.Combine(DataRoot(dataRoot), Canonical(name));

    /// <summary>The canonical name (case-insensitive match), or an error listing the known names.</summary>
    public static string Canonical(string name) =>
        Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}.");

    /// <summary>Opens dataset <paramref name="name"/> from <paramref name="root"/> (its own folder). Food-101 opens the
    /// precomputed features when <c>features/index.json</c> exists, else the raw pairs. Dispose the result if it is
    /// <see cref="IDisposable"/>.</summary>
    public static IMultimodalDataset Open(string name, string root, DatasetOpenOptions? options = null)
    {
        options ??= new DatasetOpenOptions();
        return Canonical(name) switch
        {
            "synthetic" => new SyntheticImbalance(new SyntheticImbalanceOptions { Seed = options.Seed ?? 0 }),
            "mosi" => CmuMosi.Load(root),
            "iemocap" => Iemocap.Open(root, IemocapOptionsFrom(options)),
            "food101" => Food101Features.Find(root) is not null
                ? Food101Features.Open(root, new Food101Options { ValidSeed = options.Seed ?? 0 })
                : Food101Raw.Open(root, new Food101Options { ValidSeed = options.Seed ?? 0 }),
            "brats2021" => Brats2021.Open(root, new Brats2021Options { Seed = options.Seed ?? 0, Log = options.Log }),
            _ => AvDigits.Open(root, new AvDigitsOptions { Seed = options.Seed ?? 0, Log = options.Log }),
        };
    }

    private static IemocapOptions IemocapOptionsFrom(DatasetOpenOptions options)
    {
        var iemocap = new IemocapOptions { Fold = options.Fold ?? 1, Log = options.Log };
        return options.AudioFrames is { } frames ? iemocap with { AudioFrames = frames } : iemocap;
    }
}
