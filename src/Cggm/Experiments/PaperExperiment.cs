using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.IO;

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
/// <item>Quick: the same models and settings with fewer epochs (see <see cref="Settings"/>) on the real data; 3 seeds. The large
/// datasets are cut to fit a 2-core CPU by their <see cref="ProfileBudget"/> (UPMC-Food 101 and BraTS 2021 subsets; BraTS with a
/// narrow ResNet-18 DeepLab, <see cref="DatasetDescriptor.AtProfile"/>).</item>
/// <item>Smoke: 1 epoch, small batches and, for BraTS, a small ResNet-18; on the real data when the data root holds it,
/// else on sample data written in the dataset's exact format under <c>runs/sample-data/</c> and read back through the real
/// loader; 1 seed.</item>
/// </list>
/// The sequence datasets (CMU-MOSI, IEMOCAP) scale Quick and Smoke by their <see cref="ProfileBudget"/>: sample subsets,
/// epochs, batch size, encoder depth and IEMOCAP's audio length.
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
    /// Seeds of <paramref name="dataset"/> at <paramref name="profile"/>: the <see cref="ProfileBudget.Seeds"/> of
    /// <paramref name="budget"/> (default: the dataset's budget, <see cref="DatasetDescriptor.Budget"/>) when set, else <see cref="Seeds(Profile)"/>.
    /// </summary>
    public static IReadOnlyList<int> Seeds(DatasetDescriptor dataset, Profile profile, ProfileBudget? budget = null) =>
        (budget ?? dataset.Budget(profile))?.Seeds is { } n ? Enumerable.Range(0, n).ToArray() : Seeds(profile);

    /// <summary>
    /// Opens <paramref name="dataset"/> from <c>&lt;data root&gt;/&lt;dataset&gt;</c> (data root: <paramref name="dataRoot"/>, else
    /// <c>CGGM_DATA</c>, else <c>./data</c>). Without real data, the Smoke profile uses sample data; the others stop with an error
    /// that names the folder and the script that fills it. A <paramref name="budget"/> (default: the dataset's at the profile)
    /// keeps a subset of each split and sets IEMOCAP's audio length.
    /// </summary>
    public static PaperData OpenData(DatasetDescriptor dataset, Profile profile, string? dataRoot = null, Action<string>? log = null, ProfileBudget? budget = null)
    {
        var (root, isSample) = Locate(dataset, profile, dataRoot);
        budget ??= dataset.Budget(profile);
        var data = dataset.Open(root, new DatasetOpenOptions { Log = log, AudioFrames = budget?.AudioFrames });
        if (budget is { } b && (b.Train ?? b.Valid ?? b.Test) is not null) data = new DatasetSubset(data, b.Train, b.Valid, b.Test);
        return new PaperData(data, isSample, root);
    }

    /// <summary>
    /// The folder <see cref="OpenData"/> reads: <c>&lt;data root&gt;/&lt;dataset&gt;</c> when it holds anything, else (Smoke only)
    /// the sample data under <c>runs/sample-data/</c>, written on first use; other profiles stop with an error naming the script.
    /// </summary>
    public static (string Root, bool IsSample) Locate(DatasetDescriptor dataset, Profile profile, string? dataRoot = null)
    {
        var root = dataset.Root(dataRoot: dataRoot);
        bool hasData = Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any();
        if (!hasData && profile != Profile.Smoke)
            throw new DirectoryNotFoundException($"No {dataset.Name} data in {root}. The {profile} profile needs the real data: see data-scripts/README.md " +
                                                 $"and run 'cggm data prepare {dataset.Name} --data-root <dir>'. The smoke profile runs on sample data instead.");
        return hasData ? (root, false) : (WriteSample(dataset), true);
    }

    /// <summary>
    /// The paper's settings for <paramref name="dataset"/> at <paramref name="profile"/>: scaled by <paramref name="budget"/>
    /// (default: the dataset's at the profile), else by the plain rule (Paper: unchanged; Quick: a third of the epochs; Smoke:
    /// 1 epoch, batches of 8), then changed as the dataset asks at that profile (<see cref="DatasetDescriptor.AtProfile"/>).
    /// </summary>
    public static PaperSettings Settings(DatasetDescriptor dataset, Profile profile, ProfileBudget? budget = null)
    {
        var paper = dataset.RequirePaperSettings();
        var scaled = (budget ?? dataset.Budget(profile)) is { } b ? Scale(paper, b) : profile switch
        {
            Profile.Paper => paper,
            Profile.Quick => paper with { Epochs = Math.Max(1, paper.Epochs / 3) },
            _ => paper with { Epochs = 1, BatchSize = 8 },
        };
        return dataset.AtProfile(scaled, profile);
    }

    /// <summary>
    /// What <paramref name="profile"/> runs on <paramref name="dataset"/>, in one line: the paper's settings, or the reductions
    /// (e.g. "Quick profile: at most 256 training samples, 5 epochs, 3 encoder layers; otherwise the paper's settings").
    /// </summary>
    public static string Describe(DatasetDescriptor dataset, Profile profile, ProfileBudget? budget = null)
    {
        var settings = Settings(dataset, profile, budget);
        if (profile == Profile.Paper && budget is null) return $"Paper profile: the paper's settings ({settings.Epochs} epochs, batch {settings.BatchSize}).";
        return (budget ?? dataset.Budget(profile)) is { } b
            ? $"{profile} profile: {b.Describe()}; otherwise the paper's settings."
            : $"{profile} profile: {settings.Epochs} epoch{(settings.Epochs == 1 ? "" : "s")}, batch {settings.BatchSize}; otherwise the paper's settings.";
    }

    /// <summary>
    /// Data and settings in one <see cref="ExperimentSetup"/> (dispose <see cref="PaperData"/> when done). With fewer epochs
    /// than the paper's, the methods' epoch-counted schedules are scaled to the run (<see cref="ProfileBudget.ScaleSchedules"/>).
    /// </summary>
    public static (ExperimentSetup Setup, PaperData Data) Setup(DatasetDescriptor dataset, Profile profile, string? dataRoot = null, int unimodalModality = 0,
                                                                Action<string>? log = null, ProfileBudget? budget = null)
    {
        var data = OpenData(dataset, profile, dataRoot, log, budget);
        var settings = Settings(dataset, profile, budget);
        var setup = settings.Setup(data.Data, dataset.Name, unimodalModality);
        var paperEpochs = dataset.RequirePaperSettings().Epochs;
        return (setup with { Methods = ProfileBudget.ScaleSchedules(setup.Methods, settings.Epochs, paperEpochs, data.Data.Modalities.Count) }, data);
    }

    private static PaperSettings Scale(PaperSettings paper, ProfileBudget budget)
    {
        var scaled = paper with { Epochs = budget.Epochs ?? paper.Epochs, BatchSize = budget.BatchSize ?? paper.BatchSize };
        if (budget.EncoderLayers is not { } layers) return scaled;
        return scaled.WithTransformerModel(m => m with { Layers = layers })
            ?? throw new ArgumentException($"{paper.Dataset}: a budget with {nameof(ProfileBudget.EncoderLayers)} needs a transformer model (CMU-MOSI, IEMOCAP, UPMC-Food 101).", nameof(budget));
    }

    private static string WriteSample(DatasetDescriptor dataset)
    {
        var write = dataset.WriteSample ?? throw new ArgumentException($"No sample data for '{dataset.Name}'.", nameof(dataset));
        var root = RepositoryPaths.Runs("sample-data", dataset.Name);
        if (Directory.Exists(root)) return root;
        var temporary = root + ".writing-" + Guid.NewGuid().ToString("N")[..8];   // written aside, then renamed: never half a sample set
        write(temporary);
        Directory.Move(temporary, root);
        return root;
    }
}
