using Cggm.Data;

namespace Cggm.Experiments;

/// <summary>
/// Sample data in each dataset's exact on-disk format, at the real per-sample shapes and with at least as many samples as the
/// Quick profile reads (<see cref="ProfileBudget.For"/>), so a Quick run's wall time can be measured without the real
/// data. The values are random with a planted signal (<see cref="SampleData"/>): the numbers learned mean nothing about the paper.
/// <list type="bullet">
/// <item>UPMC-Food 101: ViT [197, 768] and BERT [50, 768] fp16 token features, 101 classes, 1,300 train (a tenth is carved
/// off for validation) and 512 test samples.</item>
/// <item>BraTS 2021: 32 cases per split, each 4 × 240 × 240 × 8 (the real 240 × 240 slices, cropped to 160 × 160 by the loader;
/// 8 instead of 155 slices, since a step reads one slice per case).</item>
/// <item>CMU-MOSI: the real split sizes 1,284 / 229 / 686 at the word-aligned widths 300 / 5 / 20 × 50 steps.</item>
/// <item>IEMOCAP: 3,072 / 64 / 64 utterances at the MMIN widths (text 22 × 1024, audio ≤ 60 × 130 frames padded to 350,
/// vision 50 × 342).</item>
/// </list>
/// </summary>
public static class QuickSampleData
{
    /// <summary>Writes <paramref name="dataset"/> into <paramref name="root"/> (the dataset's own folder) and returns it.</summary>
    public static string Write(string dataset, string root) => DatasetCatalog.Canonical(dataset) switch
    {
        "food101" => SampleData.WriteFood101(root, train: 1300, test: 512, classes: 101),
        "brats2021" => SampleData.WriteBrats2021(root, casesPerSplit: 32, size: 240, depth: 8),
        "mosi" => SampleData.WriteMosi(root, train: 1284, valid: 229, test: 686),
        "iemocap" => SampleData.WriteIemocap(root, train: 3072, valid: 64, test: 64),
        var other => throw new ArgumentException($"No sample data for '{other}': the synthetic benchmark is generated in memory.", nameof(dataset)),
    };
}
