using System.Security.Cryptography;

namespace Cggm.Data;

/// <summary>What a dataset's preparation check found and what the user must do next (<c>cggm data prepare</c>).</summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Root">The dataset folder.</param>
/// <param name="Ready">True when the loader opens the folder.</param>
/// <param name="Lines">Findings and instructions, in order.</param>
/// <param name="Command">A data-script command that converts what is there into what the loader prefers, or null.</param>
public sealed record PreparationReport(string Dataset, string Root, bool Ready, IReadOnlyList<string> Lines, string? Command);

/// <summary>
/// What the datasets' preparation checks share (<c>cggm data prepare</c>; each dataset's own check is part of its descriptor):
/// library code never downloads (DESIGN §7), it verifies published checksums, says what to download by hand where a licence
/// or registration is needed, and names the <c>data-scripts/</c> command that converts the data.
/// </summary>
public static class DataPreparation
{
    /// <summary>SHA-256 of MMSA's MOSI feature files, as published in the MMSA README (thuiar/MMSA @a94e65d).</summary>
    public static IReadOnlyDictionary<string, string> MmsaSha256 { get; } = new Dictionary<string, string>
    {
        ["unaligned_50.pkl"] = "78e0f8b5ef8ff71558e7307848fc1fa929ecb078203f565ab22b9daab2e02524",
        ["aligned_50.pkl"] = "d3994fd25681f9c7ad6e9c6596a6fe9b4beb85ff7d478ba978b124139002e5f9",
    };

    /// <summary>Hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>A path as a shell argument of a data-script command: quoted when it holds a space.</summary>
    public static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
