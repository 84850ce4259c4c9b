using System.Text.Json;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Tests.Data;

namespace Cggm.Tests.Faults;

/// <summary>
/// The fault suite's data half: one folder per defect under <c>Fixtures/faults/</c>, written by the real tools (numpy pickles,
/// h5py, nibabel, PIL; <c>data-scripts/fixtures/make_fixtures.py faults</c>), each listed in its <c>expected.json</c> with
/// whether validation must fail and the file, key or line and sample id the message must name.
/// </summary>
public sealed class DataFaultTests
{
    private static readonly JsonElement Expected = Fixture.Expected("faults", "expected.json");

    public static TheoryData<string> Folders() => [.. Expected.EnumerateObject().Select(p => p.Name)];

    public static TheoryData<string> CliFolders() =>
        [.. Expected.EnumerateObject().Where(p => !p.Value.TryGetProperty("options", out _)).Select(p => p.Name)];

    private static (string Dataset, bool Fails, string[] Names) Case(string folder)
    {
        var e = Expected.GetProperty(folder);
        return (e.GetProperty("dataset").GetString()!, e.GetProperty("fails").GetBoolean(), Fixture.Strings(e.GetProperty("names")));
    }

    /// <summary>Opens a fault folder as <c>cggm data inspect</c> does (BraTS at the fixtures' tiny size) and validates every sample.</summary>
    private static (bool Ok, string Text, InspectionReport? Report) Inspect(string folder, InspectionScope scope = InspectionScope.Every)
    {
        var root = Fixture.Path_("faults", folder);
        var notes = new List<string>();
        IMultimodalDataset data;
        try
        {
            if (Expected.GetProperty(folder).TryGetProperty("options", out var o))
                data = Brats2021.Open(root, new Brats2021Options
                {
                    CropSize = o.GetProperty("crop").GetInt32(), DepthStart = o.GetProperty("depth_start").GetInt32(),
                    DepthCount = o.GetProperty("depth_count").GetInt32(), CacheTumourSlices = false, Log = notes.Add,
                });
            else data = DatasetRegistry.Get(Case(folder).Dataset).Open(root, new DatasetOpenOptions { Log = notes.Add });
        }
        catch (DatasetFileException e) { return (false, e.Message, null); }
        try
        {
            var report = DatasetInspection.Validate(data, scope);
            return (report.Ok, string.Join("\n", notes.Concat(report.Findings.Select(f => f.Message))), report);
        }
        finally { (data as IDisposable)?.Dispose(); }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_defect_is_found_and_named_with_its_file_and_sample(string folder)
    {
        var (_, fails, names) = Case(folder);
        var (ok, text, _) = Inspect(folder);
        Assert.True(ok != fails, $"{folder}: expected {(fails ? "a problem" : "no problem")}, got: {text}");
        foreach (var name in names) Assert.Contains(name, text);
    }

    [Theory]
    [MemberData(nameof(CliFolders))]
    public void Data_inspect_exits_2_on_each_defect_and_names_its_file_and_sample(string folder)
    {
        var (dataset, fails, names) = Case(folder);
        var (code, stdout, stderr) = CliProcess.Capture(["data", "inspect", dataset, "--root", Fixture.Path_("faults", folder), "--json"]);
        Assert.True(code == (fails ? 2 : 0), $"{folder}: exit code {code}\n{stdout}\n{stderr}");
        var all = stdout + stderr;
        foreach (var name in names) Assert.Contains(JsonEncoded(name, stdout), all);
        Assert.DoesNotContain("   at ", stderr);                                        // one message, no stack trace
        if (stdout.Length > 0)
        {
            using var report = JsonDocument.Parse(stdout);                              // --json: only the report on stdout
            Assert.Equal("every", report.RootElement.GetProperty("checked").GetString());
            Assert.Equal(fails, report.RootElement.GetProperty("problems").EnumerateArray().Any(p => p.GetProperty("severity").GetString() == "error"));
        }
    }

    [Theory]
    [InlineData("food101", "food-missing-image", "sushi_3.jpg")]
    [InlineData("mosi", "mosi-nan-label", "['valid']['labels'][1]")]
    public void Data_prepare_reads_every_sample_too_and_is_not_ready_on_a_defect(string dataset, string folder, string name)
    {
        var (code, stdout, stderr) = CliProcess.Capture(["data", "prepare", dataset, "--root", Fixture.Path_("faults", folder)]);
        Assert.True(code == 2, stdout + stderr);
        Assert.Contains(name, System.Text.RegularExpressions.Regex.Replace(stdout, @"\s*\n\s*", ""));   // Spectre wraps at 80 columns
        Assert.Contains("Not ready: 1 problem(s)", stdout);
    }

    /// <summary>A name as it appears in the JSON text when the message went there (quotes and the like escaped), else as is.</summary>
    private static string JsonEncoded(string name, string stdout) =>
        stdout.Contains(name, StringComparison.Ordinal) || stdout.Length == 0 ? name : JsonSerializer.Serialize(name)[1..^1];

    [Fact]
    public void The_first_sample_check_stays_available_and_misses_what_only_later_samples_hold()
    {
        // NaN in the second test utterance: --first reads only the first sample of each split
        var (ok, _, report) = Inspect("iemocap-nan-vision", InspectionScope.First);
        Assert.True(ok);
        Assert.Equal([1, 1, 1], report!.Checked);
        var (code, stdout, _) = CliProcess.Capture(["data", "inspect", "iemocap", "--root", Fixture.Path_("faults", "iemocap-nan-vision"), "--json", "--first"]);
        Assert.Equal(0, code);
        Assert.Contains("\"checked\": \"first\"", stdout);
        Assert.Equal([4, 2, 3], Inspect("iemocap-nan-vision").Report!.Checked);
    }

    [Fact]
    public void Training_stops_at_the_bad_sample_with_its_file_split_modality_and_sample()
    {
        using var runs = new Fixture.TempDir();
        var (code, _, stderr) = CliProcess.Capture(["train", "--dataset", "iemocap", "--root", Fixture.Path_("faults", "iemocap-nan-vision"), "--epochs", "1",
                                                    "--runs", runs.Path, "--device", "cpu"]);
        Assert.Equal(2, code);
        foreach (var name in new[] { "denseface.h5", "Ses05M_script03_M007", "test sample", "modality 'vision'", "NaN at [2, 1]" }) Assert.Contains(name, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void A_zero_std_feature_is_centred_and_training_stays_finite()
    {
        var root = Fixture.Path_("faults", "iemocap-zero-std");
        var notes = new List<string>();
        using var iemocap = Iemocap.Open(root, new IemocapOptions { Log = notes.Add });
        Assert.Contains(notes, n => n.Contains("std is 0 for 2 of 5 audio features (1, 3)"));
        var audio = iemocap.Get(Split.Train).Read(0).Modalities[1];
        Assert.All(audio, v => Assert.True(float.IsFinite(v)));
        // the constant features (0.25 in every frame) are centred: (0.25 − 0.25) / 1 = 0 in the utterance's real frames
        Assert.Equal(0f, audio[1]);
        Assert.Equal(0f, audio[3]);

        using var runs = new Fixture.TempDir();
        var (code, stdout, stderr) = CliProcess.Capture(["train", "--dataset", "iemocap", "--root", root, "--epochs", "1", "--runs", runs.Path, "--device", "cpu"]);
        Assert.True(code == 0, stdout + stderr);
        var history = File.ReadAllLines(Directory.GetFiles(runs.Path, "history.csv", SearchOption.AllDirectories).Single());
        Assert.DoesNotContain(history.Skip(1), l => l.Contains("NaN", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Brats_nifti_reads_nii_and_nii_gz_cases_and_reports_unlabelled_ones()
    {
        var notes = new List<string>();
        var brats = Brats2021.Open(Fixture.Path_("faults", "brats-nifti-mixed"),
            new Brats2021Options { CropSize = 6, DepthStart = 1, DepthCount = 6, CacheTumourSlices = false, Log = notes.Add });
        Assert.Equal(8, brats.CaseIds.Sum(ids => ids.Count));                           // 3 plain .nii cases among them; the 9th has no seg
        Assert.Contains(brats.CaseIds.SelectMany(x => x), id => id == "BraTS2021_00001");
        Assert.Contains(notes, n => n.Contains("BraTS2021_00008") && n.Contains("no segmentation"));
        Assert.All(Enum.GetValues<Split>(), s => Assert.True(brats[s].Count > 0));
        Assert.True(DatasetInspection.Validate(brats).Ok);
    }
}
