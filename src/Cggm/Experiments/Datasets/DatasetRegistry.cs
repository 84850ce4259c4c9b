namespace Cggm.Experiments.Datasets;

/// <summary>
/// Every dataset, listed once (as <see cref="Modulation.MethodRegistry"/> lists the balancing methods). A name typed by a user
/// (<c>--dataset</c>, <c>cggm data … NAME</c>) becomes its descriptor here, once; everything after that receives the descriptor.
/// Adding a dataset is one descriptor class (beside its loader and settings) and one line in <see cref="All"/>.
/// </summary>
public static class DatasetRegistry
{
    /// <summary>The built-in synthetic imbalance benchmark.</summary>
    public static SyntheticDataset Synthetic { get; } = new();

    /// <summary>UPMC-Food 101.</summary>
    public static Food101Dataset Food101 { get; } = new();

    /// <summary>CMU-MOSI.</summary>
    public static MosiDataset Mosi { get; } = new();

    /// <summary>IEMOCAP.</summary>
    public static IemocapDataset Iemocap { get; } = new();

    /// <summary>BraTS 2021.</summary>
    public static Brats2021Dataset Brats2021 { get; } = new();

    /// <summary>Audio-visual spoken digits (FSDD + MNIST).</summary>
    public static AvDigitsDataset AvDigits { get; } = new();

    /// <summary>Every dataset: the synthetic benchmark, the paper's four in the order of its Table 1, then the kit's audio-visual digits.</summary>
    public static IReadOnlyList<DatasetDescriptor> All { get; } = [Synthetic, Food101, Mosi, Iemocap, Brats2021, AvDigits];

    /// <summary>The paper's datasets (those with a results table in the paper), in the order of its Table 1.</summary>
    public static IReadOnlyList<DatasetDescriptor> Paper { get; } = [.. All.Where(d => d.PaperTable is not null)];

    /// <summary>The names, as <c>--dataset</c> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(d => d.Name)];

    /// <summary>The dataset called <paramref name="name"/> (any case), or an error listing the known names.</summary>
    public static DatasetDescriptor Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}.");
}
