using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Models.Blocks;
using Cggm.Training;
using Cggm.Modulation;

namespace Cggm.Experiments.Datasets;

/// <summary>BraTS 2021: brain-tumour segmentation from four MRI sequences (<see cref="Brats2021"/>, <see cref="BratsSettings"/>; the paper's Table 3).</summary>
public sealed class Brats2021Dataset() : DatasetDescriptor(Brats2021.DatasetName, "BraTS 2021", "segmentation")
{
    /// <inheritdoc />
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null) =>
        Brats2021.Open(root, new Brats2021Options { Seed = options?.Seed ?? 0, Log = options?.Log });

    /// <inheritdoc />
    public override BratsSettings PaperSettings { get; } = new();

    /// <summary>
    /// Quick: 16 training, 8 validation and 8 test cases (one slice per case and epoch, as released), 4 epochs, batches of 8,
    /// 2 seeds, and a narrower model (<see cref="AtProfile"/>). At 32/16/16 cases and 3 seeds a run took about 100 s, over an
    /// hour for the table. Smoke: the plain rule.
    /// </summary>
    public override ProfileBudget? Budget(Profile profile) =>
        profile == Profile.Quick ? new(Train: 16, Valid: 8, Test: 8, Epochs: 4, BatchSize: 8, Seeds: 2) : null;

    /// <summary>
    /// The paper's 235 M-parameter DeepLab takes minutes per step on a CPU. Quick: warm-up of 1 epoch and a DeepLab with
    /// ResNet-18 and widths 16/64/12/64 instead of ResNet-101 with 64/256/48/256. Smoke: ResNet-18 with widths 8/16/8/16 and a
    /// constant learning rate.
    /// </summary>
    public override PaperSettings AtProfile(PaperSettings settings, Profile profile) => (settings, profile) switch
    {
        (BratsSettings b, Profile.Quick) => b with
        {
            Schedule = new LearningRateSchedule.WarmupCosine(WarmupStart: 4e-4, Final: 1e-3, WarmupEpochs: 1),
            Model = b.Model with { Depth = ResNetDepth.ResNet18, BaseWidth = 16, AsppChannels = 64, LowLevelReduction = 12, DecoderChannels = 64 },
        },
        (BratsSettings b, Profile.Smoke) => b with
        {
            Model = b.Model with { Depth = ResNetDepth.ResNet18, BaseWidth = 8, AsppChannels = 16, LowLevelReduction = 8, DecoderChannels = 16 },
            Schedule = new LearningRateSchedule.Constant(),
        },
        _ => settings,
    };

    /// <inheritdoc />
    public override SampleWriter WriteSample => root => SampleData.WriteBrats2021(root);

    /// <summary>32 cases per split, each 4 × 240 × 240 × 8 (the real 240 × 240 slices, cropped to 160 × 160 by the loader; 8 instead of 155 slices, since a step reads one slice per case).</summary>
    public override SampleWriter WriteQuickSample => root => SampleData.WriteBrats2021(root, casesPerSplit: 32, size: 240, depth: 8);

    /// <summary>The average Dice.</summary>
    public override LadderMetric Metric => new(new ResultColumn("Dice avg (%)"), "dice_avg");

    /// <inheritdoc />
    public override PaperTable PaperTable { get; } = new("Table 3",
    [
        new(MethodNames.Cggm, "dice_wt", 76.94, PaperResults.Wizwand + "; " + PaperResults.ThirdParty),
        new(MethodNames.Cggm, "dice_tc", 72.75, PaperResults.ThirdParty),
        new(MethodNames.Cggm, "dice_et", 72.14, PaperResults.ThirdParty),
        new(MethodNames.Cggm, "dice_avg", 73.94, PaperResults.ThirdParty + " (consistent: (76.94 + 72.75 + 72.14)/3)"),
        new(MethodNames.Joint, "dice_avg", 69.21, PaperResults.ThirdParty),
    ]);

    /// <summary>Says how to get the data; NIfTI cases without the released .h5 layout get the conversion command.</summary>
    protected override string? Prepare(string root, List<string> lines)
    {
        bool h5 = Directory.Exists(Path.Combine(root, "train"));
        bool nifti = Directory.Exists(Path.Combine(root, "BraTS2021_Training_Data")) || (Directory.Exists(root) && Directory.GetDirectories(root, "BraTS2021_*").Length > 0);
        if (!h5 && !nifti)
            lines.Add($"BraTS 2021 needs a Synapse account and acceptance of the challenge's data-use terms (RSNA-ASNR-MICCAI BraTS 2021, Task 1 training data). Unpack BraTS2021_Training_Data/ into {root}.");
        if (!nifti || h5) return null;
        var command = $"python3 data-scripts/brats2021/nifti_to_h5.py --root {DataPreparation.Quote(root)}";
        lines.Add("The NIfTI cases are readable directly (each sample decompresses its case: slow for training). Convert them once to the released per-case .h5 layout with: " + command);
        return command;
    }
}
