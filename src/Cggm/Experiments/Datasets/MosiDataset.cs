using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Modulation;

namespace Cggm.Experiments.Datasets;

/// <summary>CMU-MOSI: sentiment regression in [−3, 3] from text, audio and vision (<see cref="CmuMosi"/>, <see cref="MosiSettings"/>; the paper's Table 4).</summary>
public sealed class MosiDataset() : DatasetDescriptor(CmuMosi.DatasetName, "CMU-MOSI", "regression")
{
    /// <inheritdoc />
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null) => CmuMosi.Load(root);

    /// <inheritdoc />
    public override MosiSettings PaperSettings { get; } = new();

    /// <summary>
    /// Quick: 3 encoder layers (fusion 1) instead of 5, 256 of the 1,284 training samples, all 229 validation and 686 test
    /// samples, 5 epochs, 2 seeds. Smoke: 3 layers, 1 epoch, batches of 8, at most 16/16/16 samples.
    /// </summary>
    public override ProfileBudget? Budget(Profile profile) => profile switch
    {
        Profile.Smoke => new(Train: 16, Valid: 16, Test: 16, Epochs: 1, BatchSize: 8, EncoderLayers: 3),
        Profile.Quick => new(Train: 256, Epochs: 5, EncoderLayers: 3, Seeds: 2),
        _ => null,
    };

    /// <inheritdoc />
    public override SampleWriter WriteSample => root => SampleData.WriteMosi(root);

    /// <summary>The real split sizes 1,284 / 229 / 686 at the word-aligned widths 300 / 5 / 20 × 50 steps.</summary>
    public override SampleWriter WriteQuickSample => root => SampleData.WriteMosi(root, train: 1284, valid: 229, test: 686);

    /// <summary>Acc-2.</summary>
    public override LadderMetric Metric => new(new ResultColumn("Acc-2 (%)"), "acc2");

    /// <inheritdoc />
    public override PaperTable PaperTable { get; } = new("Table 4", [new(MethodNames.Cggm, "mae", 0.747, PaperResults.Wizwand)]);

    /// <summary>Checks each MOSI pickle against MMSA's published SHA-256 (MulT publishes none), or says where to get one.</summary>
    protected override string? Prepare(string root, List<string> lines)
    {
        foreach (var file in CmuMosi.KnownFiles.Select(f => Path.Combine(root, f)).Where(File.Exists))
        {
            var hash = DataPreparation.Sha256(file);
            var known = DataPreparation.MmsaSha256.GetValueOrDefault(Path.GetFileName(file));
            lines.Add(known is null ? $"{file}: SHA-256 {hash} (MulT publishes no checksum; record it with your results)."
                : hash == known ? $"{file}: SHA-256 matches the MMSA README." : $"{file}: SHA-256 {hash} differs from the MMSA README ({known}): a different or damaged copy.");
        }
        if (lines.Count == 0)
            lines.Add($"Put one MOSI pickle in {root} (no registration needed): MulT's mosi_data.pkl (word-aligned) or mosi_data_noalign.pkl from the data link in the yaohungt/Multimodal-Transformer README, "
                + "or MMSA's MOSI/Processed/aligned_50.pkl or unaligned_50.pkl from the links in the thuiar/MMSA README (checked against its SHA-256 here).");
        return null;
    }
}
