using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Models.Blocks;

namespace Cggm.Experiments;

/// <summary>A paper dataset opened for an experiment.</summary>
/// <param name="Data">The dataset, read through its real loader.</param>
/// <param name="IsSample">True when it is sample data written in the dataset's exact format (numbers mean nothing about the paper).</param>
/// <param name="Root">The folder it was read from.</param>
public sealed record PaperData(IMultimodalDataset Data, bool IsSample, string Root) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => (Data as IDisposable)?.Dispose();
}

/// <summary>
/// The data, settings and seeds of an experiment on one of the paper's datasets at a <see cref="Profile"/>:
/// <list type="bullet">
/// <item>Paper: the paper's settings (<see cref="PaperSettings"/>) on the real data; 5 seeds.</item>
/// <item>Quick: the same models and settings with fewer epochs (see <see cref="Settings"/>) on the real data; 3 seeds.</item>
/// <item>Smoke: 1 epoch, small batches and, for BraTS, a small ResNet-18; on the real data when the data root holds it,
/// else on sample data written in the dataset's exact format under <c>runs/sample-data/</c> and read back through the real
/// loader; 1 seed.</item>
/// </list>
/// </summary>
public static class PaperExperiment
{
    /// <summary>Seeds of a profile: Smoke 0; Quick 0–2; Paper 0–4.</summary>
    public static IReadOnlyList<int> Seeds(Profile profile) => profile switch
    {
        Profile.Smoke => [0],
        Profile.Quick => [0, 1, 2],
        _ => [0, 1, 2, 3, 4],
    };

    /// <summary>
    /// Opens <paramref name="dataset"/> from <c>&lt;data root&gt;/&lt;dataset&gt;</c> (data root: <paramref name="dataRoot"/>, else
    /// <c>CGGM_DATA</c>, else <c>./data</c>). Without real data, the Smoke profile uses sample data; the others stop with an error
    /// that names the folder and the script that fills it.
    /// </summary>
    public static PaperData OpenData(string dataset, Profile profile, string? dataRoot = null, Action<string>? log = null)
    {
        var (root, isSample) = Locate(dataset, profile, dataRoot);
        var data = DatasetCatalog.Open(dataset, root, new DatasetOpenOptions { Log = log });
        return new PaperData(data, isSample, root);
    }

    /// <summary>
    /// The folder <see cref="OpenData"/> reads: <c>&lt;data root&gt;/&lt;dataset&gt;</c> when it holds anything, else (Smoke only)
    /// the sample data under <c>runs/sample-data/</c>, written on first use; other profiles stop with an error naming the script.
    /// </summary>
    public static (string Root, bool IsSample) Locate(string dataset, Profile profile, string? dataRoot = null)
    {
        var name = DatasetCatalog.Canonical(dataset);
        var root = DatasetCatalog.DatasetRoot(name, null, dataRoot);
        bool hasData = Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any();
        if (!hasData && profile != Profile.Smoke)
            throw new DirectoryNotFoundException($"No {name} data in {root}. The {profile} profile needs the real data: see data-scripts/README.md " +
                                                 $"and run 'cggm data prepare {name} --data-root <dir>'. The smoke profile runs on sample data instead.");
        return hasData ? (root, false) : (WriteSample(name), true);
    }

    /// <summary>The paper's settings for <paramref name="dataset"/> at <paramref name="profile"/>.</summary>
    public static PaperSettings Settings(string dataset, Profile profile)
    {
        var paper = PaperSettings.For(DatasetCatalog.Canonical(dataset));
        return profile switch
        {
            Profile.Paper => paper,
            Profile.Quick => paper with { Epochs = Math.Max(1, paper.Epochs / 3) },
            _ => Smoke(paper),
        };
    }

    /// <summary>Data and settings in one <see cref="ExperimentSetup"/> (dispose <see cref="PaperData"/> when done).</summary>
    public static (ExperimentSetup Setup, PaperData Data) Setup(string dataset, Profile profile, string? dataRoot = null, int unimodalModality = 0, Action<string>? log = null)
    {
        var data = OpenData(dataset, profile, dataRoot, log);
        return (Settings(dataset, profile).Setup(data.Data, DatasetCatalog.Canonical(dataset), unimodalModality), data);
    }

    private static PaperSettings Smoke(PaperSettings paper)
    {
        var smoke = paper with { Epochs = 1, BatchSize = 8 };
        return smoke is BratsSettings b
            ? b with { Model = b.Model with { Depth = ResNetDepth.ResNet18, BaseWidth = 8, AsppChannels = 16, LowLevelReduction = 8, DecoderChannels = 16 }, Schedule = new Training.LearningRateSchedule.Constant() }
            : smoke;
    }

    private static string WriteSample(string dataset)
    {
        var root = RepositoryPaths.Runs("sample-data", dataset);
        if (Directory.Exists(root)) return root;
        var temporary = root + ".writing-" + Guid.NewGuid().ToString("N")[..8];   // written aside, then renamed: never half a sample set
        _ = dataset switch
        {
            "mosi" => SampleData.WriteMosi(temporary),
            "iemocap" => SampleData.WriteIemocap(temporary),
            "food101" => SampleData.WriteFood101(temporary),
            "brats2021" => SampleData.WriteBrats2021(temporary),
            "av-digits" => SampleData.WriteAvDigits(temporary),
            _ => throw new ArgumentException($"No sample data for '{dataset}'.", nameof(dataset)),
        };
        Directory.Move(temporary, root);
        return root;
    }
}
