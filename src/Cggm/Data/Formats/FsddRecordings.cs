using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NWaves.Audio;

namespace Cggm.Data.Formats;

/// <summary>One Free Spoken Digit Dataset recording, named <c>{digit}_{speaker}_{index}.wav</c>.</summary>
/// <param name="Path">The WAV file.</param>
/// <param name="Digit">The spoken digit 0–9 (the label).</param>
/// <param name="Speaker">The speaker's name (e.g. "jackson").</param>
/// <param name="Index">The take 0–49; the dataset's usual split puts takes 0–4 in the test set.</param>
public sealed record FsddRecording(string Path, int Digit, string Speaker, int Index)
{
    /// <summary>True for the usual test split (takes 0–4, as the FSDD README prescribes).</summary>
    public bool IsTest => Index < FsddRecordings.TestTakes;
}

/// <summary>
/// The Free Spoken Digit Dataset (Jakobovski et al., github.com/Jakobovski/free-spoken-digit-dataset, CC BY-SA 4.0):
/// 3,000 recordings, 6 speakers × 10 digits × 50 takes, RIFF PCM 16-bit mono at 8 kHz. Lists the <c>recordings/</c> folder
/// and reads one file as samples in [−1, 1] through NWaves' WAV reader.
/// </summary>
public static class FsddRecordings
{
    /// <summary>The sampling rate of every recording (Hz).</summary>
    public const int SampleRate = 8000;

    /// <summary>Takes 0..TestTakes−1 form the usual test split.</summary>
    public const int TestTakes = 5;

    /// <summary>Number of recordings in the release (commit 26eb9aa).</summary>
    public const int ReleaseCount = 3000;

    /// <summary>
    /// SHA-256 of the release's recordings: the hash of the text <c>sha256sum</c> prints for every <c>*.wav</c> in name order
    /// ("&lt;hex&gt;  &lt;name&gt;\n" per file), i.e. <c>cd recordings &amp;&amp; sha256sum *.wav | sha256sum</c> in the C locale,
    /// measured on the copy of commit 26eb9aaf76e81b692f806f9140c2d2777410d7a1.
    /// </summary>
    public const string ReleaseDigest = "1801eae019c063377d98f831d3f93574f259475df7332bb0e3d1b080fb5e6959";

    /// <summary>Every <c>{digit}_{speaker}_{index}.wav</c> in <paramref name="folder"/>, sorted by name; other files are ignored.</summary>
    public static IReadOnlyList<FsddRecording> List(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DatasetFileException(DataProblem.Missing, folder, "no such folder", "the FSDD recordings/ folder ({digit}_{speaker}_{index}.wav files)");
        var list = new List<FsddRecording>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.wav").Order(StringComparer.Ordinal))
        {
            var parts = System.IO.Path.GetFileNameWithoutExtension(path).Split('_');
            if (parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int digit) && digit is >= 0 and <= 9
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int index) && parts[1].Length > 0)
                list.Add(new FsddRecording(path, digit, parts[1], index));
        }
        if (list.Count == 0)
            throw new DatasetFileException(DataProblem.Missing, folder, "no {digit}_{speaker}_{index}.wav files", "the FSDD recordings/ folder");
        return list;
    }

    /// <summary>Reads <paramref name="recording"/> as samples in [−1, 1]; throws unless it is 8 kHz mono 16-bit PCM.</summary>
    public static float[] Read(FsddRecording recording)
    {
        WaveFile wave;
        try
        {
            using var stream = File.OpenRead(recording.Path);
            wave = new WaveFile(stream);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new DatasetFileException(DataProblem.Corrupt, recording.Path, $"not a readable WAV file ({e.Message})", "RIFF PCM 16-bit mono at 8 kHz", inner: e);
        }
        var fmt = wave.WaveFmt;
        if (fmt.SamplingRate != SampleRate || fmt.ChannelCount != 1 || fmt.BitsPerSample != 16)
            throw new DatasetFileException(DataProblem.WrongDtype, recording.Path,
                $"{fmt.SamplingRate} Hz, {fmt.ChannelCount} channel(s), {fmt.BitsPerSample}-bit", "RIFF PCM 16-bit mono at 8 kHz, as every FSDD recording");
        return wave.Signals[0].Samples;
    }

    /// <summary>The digest of the <c>*.wav</c> files in <paramref name="folder"/> in the form of <see cref="ReleaseDigest"/>.</summary>
    public static string Digest(string folder)
    {
        var manifest = new StringBuilder();
        foreach (var path in Directory.EnumerateFiles(folder, "*.wav").Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(path);
            manifest.Append(Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant()).Append("  ").Append(System.IO.Path.GetFileName(path)).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString()))).ToLowerInvariant();
    }
}
