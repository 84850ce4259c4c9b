using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Modulation;

namespace Cggm.Experiments.Datasets;

/// <summary>UPMC-Food 101: 101-class recipe classification from an image and its text (<see cref="Food101Features"/>, <see cref="Food101Raw"/>, <see cref="Food101Settings"/>; the paper's Table 2).</summary>
public sealed class Food101Dataset() : DatasetDescriptor(Food101Features.DatasetName, "UPMC-Food 101", "classification")
{
    /// <summary>The precomputed token features when <c>features/index.json</c> exists, else the raw image–text pairs.</summary>
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null)
    {
        var food = new Food101Options { ValidSeed = options?.Seed ?? 0 };
        return Food101Features.Find(root) is not null ? Food101Features.Open(root, food) : Food101Raw.Open(root, food);
    }

    /// <inheritdoc />
    public override Food101Settings PaperSettings { get; } = new();

    /// <summary>
    /// Quick: 3 encoder layers (fusion 1) instead of 4, 128 training, 64 validation and 128 test samples, 2 epochs, batches of
    /// 32 (at the paper's 128 the subset would give one step an epoch), 2 seeds. Each sample is 247 tokens of 768-d features,
    /// and 19 methods run: at 256 samples and 3 seeds the run took over 2 hours on 2 cores. Smoke: the plain rule.
    /// </summary>
    public override ProfileBudget? Budget(Profile profile) =>
        profile == Profile.Quick ? new(Train: 128, Valid: 64, Test: 128, Epochs: 2, BatchSize: 32, EncoderLayers: 3, Seeds: 2) : null;

    /// <inheritdoc />
    public override SampleWriter WriteSample => root => SampleData.WriteFood101(root);

    /// <summary>ViT [197, 768] and BERT [50, 768] fp16 token features, 101 classes, 1,300 train (a tenth is carved off for validation) and 512 test samples.</summary>
    public override SampleWriter WriteQuickSample => root => SampleData.WriteFood101(root, train: 1300, test: 512, classes: 101);

    /// <inheritdoc />
    public override PaperTable PaperTable { get; } = new("Table 2", [new(MethodNames.Cggm, "accuracy", 92.94, PaperResults.Wizwand)]);

    /// <summary>Finds the raw layout and the features; raw pairs without features get the feature-extraction command.</summary>
    protected override string? Prepare(string root, List<string> lines)
    {
        var layout = FoodIndex.Detect(root);
        bool features = Food101Features.Find(root) is not null;
        lines.Add(layout is null ? "No Food-101 sample lists found." : $"Raw layout: {layout}.");
        lines.Add(features ? "Precomputed features: present." : "Precomputed features: absent.");
        if (layout is null && !features)
            lines.Add($"Download UPMC Food-101 (research use; Kaggle dataset 'gianmarco96/upmcfood101' needs a Kaggle account, or the original release with texts_txt/ from its authors' VISIIR page) into {root}: images/{{train,test}}/<class>/ plus texts/ or the MMBT/QMF jsonl files.");
        if (layout is null || features) return null;
        var command = $"python3 data-scripts/food101/extract_features.py --root {DataPreparation.Quote(root)}";
        lines.Add("Extract the ViT/BERT token features on a machine with a GPU, PyTorch and transformers (this cannot run on the CPU CI machines): " + command);
        return command;
    }
}
