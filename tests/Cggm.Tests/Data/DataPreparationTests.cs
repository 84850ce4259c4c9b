using Cggm.Data;
using Cggm.Experiments.Datasets;

namespace Cggm.Tests.Data;

/// <summary><c>cggm data prepare</c>'s checks: checksums, instructions, conversion commands.</summary>
public sealed class DataPreparationTests
{
    [Fact]
    public void Mmsa_pickles_are_checked_against_the_published_sha256()
    {
        using var dir = new Fixture.TempDir();
        File.Copy(Fixture.Path_("mosi", "mmsa", "unaligned_50.pkl"), Path.Combine(dir.Path, "unaligned_50.pkl"));
        var report = DatasetRegistry.Get("mosi").Check(dir.Path);
        Assert.Contains(report.Lines, l => l.Contains("differs from the MMSA README") && l.Contains(DataPreparation.MmsaSha256["unaligned_50.pkl"]));
        // the fixture holds NaN and +inf audio on purpose (the loader keeps them, as the released code does): prepare reads every sample and says so
        Assert.False(report.Ready);
        Assert.Contains(report.Lines, l => l.StartsWith("Problem: ", StringComparison.Ordinal) && l.Contains("['test']['audio'][0]") && l.Contains("NaN at [1, 1]"));
        Assert.Equal(DataPreparation.Sha256(Path.Combine(dir.Path, "unaligned_50.pkl")), System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(dir.Path, "unaligned_50.pkl"))).Select(b => b.ToString("x2")).Aggregate("", string.Concat));
    }

    [Theory]
    [InlineData("mosi", "mosi_data.pkl")]
    [InlineData("iemocap", "licence")]
    [InlineData("food101", "Kaggle")]
    [InlineData("brats2021", "Synapse")]
    public void Empty_folders_get_download_instructions_and_are_not_ready(string dataset, string mention)
    {
        using var dir = new Fixture.TempDir();
        var report = DatasetRegistry.Get(dataset).Check(dir.Path);
        Assert.False(report.Ready);
        Assert.Contains(report.Lines, l => l.Contains(mention));
        Assert.StartsWith("Not ready:", report.Lines[^1]);
    }

    [Fact]
    public void Raw_data_gets_the_conversion_script_command()
    {
        var food = DatasetRegistry.Get("food101").Check(Fixture.Path_("food101", "json"));
        Assert.StartsWith("python3 data-scripts/food101/extract_features.py --root", food.Command);
        // raw pairs open without features; this fixture's few training pairs leave no tenth to carve a validation split from
        Assert.Contains(food.Lines, l => l.Contains("The valid split of food101 is empty"));
        var brats = DatasetRegistry.Get("brats2021").Check(Fixture.Path_("brats2021", "nifti"));
        Assert.StartsWith("python3 data-scripts/brats2021/nifti_to_h5.py --root", brats.Command);
        Assert.Null(DatasetRegistry.Get("brats2021").Check(Fixture.Path_("brats2021", "h5")).Command);
    }
}
