using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Modulation;

namespace Cggm.Experiments.Datasets;

/// <summary>IEMOCAP: 4-class emotion recognition from text, audio and vision, MMIN features (<see cref="Iemocap"/>, <see cref="IemocapSettings"/>; the paper's Tables 4–6 and Fig. 5).</summary>
public sealed class IemocapDataset() : DatasetDescriptor(Iemocap.DatasetName, "IEMOCAP", "classification")
{
    /// <summary>Opens fold <see cref="DatasetOpenOptions.Fold"/> (default 1, as CGGM) with <see cref="DatasetOpenOptions.AudioFrames"/> audio frames (default 350).</summary>
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null)
    {
        options ??= new DatasetOpenOptions();
        var iemocap = new IemocapOptions { Fold = options.Fold ?? 1, Log = options.Log };
        return Iemocap.Open(root, options.AudioFrames is { } frames ? iemocap with { AudioFrames = frames } : iemocap);
    }

    /// <inheritdoc />
    public override IemocapSettings PaperSettings { get; } = new();

    /// <summary>
    /// Quick: 3 encoder layers (fusion 1) instead of 4, audio cut to 100 frames (10 s of 100 ms frames; the released collate
    /// pads every utterance to 350, so attention spends most of its time on padding), 256 training, 128 validation and 256
    /// test utterances, 4 epochs, 2 seeds. Smoke: 3 layers, 32 audio frames, 1 epoch, batches of 8, at most 16/8/8 utterances.
    /// </summary>
    public override ProfileBudget? Budget(Profile profile) => profile switch
    {
        Profile.Smoke => new(Train: 16, Valid: 8, Test: 8, Epochs: 1, BatchSize: 8, EncoderLayers: 3, AudioFrames: 32),
        Profile.Quick => new(Train: 256, Valid: 128, Test: 256, Epochs: 4, EncoderLayers: 3, AudioFrames: 100, Seeds: 2),
        _ => null,
    };

    /// <inheritdoc />
    public override SampleWriter WriteSample => root => SampleData.WriteIemocap(root);

    /// <summary>3,072 / 64 / 64 utterances at the MMIN widths (text 22 × 1024, audio ≤ 60 × 130 frames padded to 350, vision 50 × 342).</summary>
    public override SampleWriter WriteQuickSample => root => SampleData.WriteIemocap(root, train: 3072, valid: 64, test: 64);

    /// <inheritdoc />
    public override PaperTable PaperTable { get; } = new("Table 4", [new(MethodNames.Cggm, "accuracy", 75.38, PaperResults.Wizwand)]);

    /// <summary>Without the MMIN feature folders: how to get the licence and the features.</summary>
    protected override string? Prepare(string root, List<string> lines)
    {
        if (!Directory.Exists(Path.Combine(root, "A")))
            lines.Add($"IEMOCAP needs a licence: request it with the release form at USC SAIL (sail.usc.edu, IEMOCAP). Then download the MMIN feature set (links in the AIM3-RUC/MMIN repository) "
                + $"and unpack it so that {root} holds A/comparE.h5, A/comparE_mean_std.h5, V/denseface.h5, L/bert_large.h5 and target/1..10/.");
        return null;
    }
}
