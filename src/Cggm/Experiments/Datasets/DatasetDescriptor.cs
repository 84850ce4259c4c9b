using Cggm.Data;
using Cggm.Experiments.Settings;
using Cggm.Modulation;

namespace Cggm.Experiments.Datasets;

/// <summary>Writes sample data in a dataset's exact on-disk format into <paramref name="root"/> (created if needed) and returns the folder.</summary>
public delegate string SampleWriter(string root);

/// <summary>
/// One dataset as the kit knows it, the way a <see cref="MethodInfo"/> is one balancing method: its name, the paper's name for
/// it, its loader, its task, the paper's settings and the per-profile budgets that scale them down, its sample-data writers,
/// the metric comparisons select on, the paper's results table, and the check behind <c>cggm data prepare</c>. Every dataset
/// is listed once in <see cref="DatasetRegistry"/>; experiments, commands and reproductions receive the descriptor (resolved
/// once from a name where a user types one), never a name to branch on.
/// </summary>
public abstract class DatasetDescriptor(string name, string displayName, string taskKind)
{
    /// <summary>The name: <c>--dataset NAME</c>, the folder under the data root, and the loader's <see cref="IMultimodalDataset.Name"/>.</summary>
    public string Name { get; } = name;

    /// <summary>The paper's name for it ("CMU-MOSI", "UPMC-Food 101", …), used in titles and notes.</summary>
    public string DisplayName { get; } = displayName;

    /// <summary>What its labels are: "classification", "regression" or "segmentation" (<see cref="LabelInfo.Kind"/>).</summary>
    public string TaskKind { get; } = taskKind;

    /// <summary>Opens the dataset from <paramref name="root"/>, its own folder. Dispose the result if it is <see cref="IDisposable"/>.</summary>
    public abstract IMultimodalDataset Open(string root, DatasetOpenOptions? options = null);

    /// <summary>Its folder: <paramref name="root"/> if given, else <c>&lt;data root&gt;/&lt;name&gt;</c> (<see cref="DataPaths"/>).</summary>
    public string Root(string? root = null, string? dataRoot = null) => DataPaths.DatasetRoot(Name, root, dataRoot);

    /// <summary>The paper's settings (model, task, optimisation, CGGM's ρ and λ); null for the synthetic benchmark, which has its own.</summary>
    public virtual PaperSettings? PaperSettings => null;

    /// <summary><see cref="PaperSettings"/>, or an error naming the datasets that have them.</summary>
    public PaperSettings RequirePaperSettings() => PaperSettings
        ?? throw new ArgumentException($"No paper settings for dataset '{Name}'. Known: {string.Join(", ", DatasetRegistry.All.Where(d => d.PaperSettings is not null).Select(d => d.Name))}.");

    /// <summary>
    /// How <paramref name="profile"/> scales the paper's settings down on this dataset; null where <see cref="PaperExperiment"/>
    /// applies its plain profile rule (the Paper profile, and every profile of a dataset without budgets).
    /// </summary>
    public virtual ProfileBudget? Budget(Profile profile) => null;

    /// <summary>The dataset's own change to its settings at <paramref name="profile"/>, after the budget or the plain rule (none by default).</summary>
    public virtual PaperSettings AtProfile(PaperSettings settings, Profile profile) => settings;

    /// <summary>Writes small sample data in the exact format (notebooks and the Smoke profile without the real data); null when there is none.</summary>
    public virtual SampleWriter? WriteSample => null;

    /// <summary>Writes sample data at the real per-sample shapes and the Quick profile's sample counts (to time a Quick run); null when there is none.</summary>
    public virtual SampleWriter? WriteQuickSample => null;

    /// <summary>The test metric a comparison of runs on this dataset selects and compares on (accuracy unless the dataset says otherwise).</summary>
    public virtual LadderMetric Metric => new(new ResultColumn("Acc (%)"), "accuracy");

    /// <summary>The paper's results table for the dataset and its values that are public as text; null for the kit's own datasets.</summary>
    public virtual PaperTable? PaperTable => null;

    /// <summary>The tasks the dataset can pose, chosen by <c>--target</c> (lower case; empty: one task).</summary>
    public virtual IReadOnlyList<string> Targets => [];

    /// <summary>The experiment's name (its run folder) when the dataset poses <paramref name="target"/>: the dataset's name by default.</summary>
    public virtual string ExperimentName(string? target = null) => Name;

    /// <summary>
    /// The experiment <c>cggm train</c> runs: the paper's settings with the request's changes, on the data under the request's
    /// folder. The caller owns (and disposes) <see cref="ExperimentSetup.Data"/>.
    /// </summary>
    public virtual ExperimentSetup Setup(SetupRequest request)
    {
        var paper = RequirePaperSettings();
        paper = paper with { Epochs = request.Epochs ?? paper.Epochs, Device = request.Device, Cggm = request.ChangeCggm(paper.Cggm) };
        var data = Open(Root(request.Root, request.DataRoot), new DatasetOpenOptions { Log = request.Log });
        return paper.Setup(data, Name, request.Modality);
    }

    /// <summary>
    /// <c>cggm data prepare</c>: checks the folder (checksums where published), says what to download by hand and which
    /// data-script converts it (<see cref="Prepare"/>), then opens it through the loader and checks every sample
    /// (<see cref="DatasetInspection.Validate"/>).
    /// </summary>
    public virtual PreparationReport Check(string root)
    {
        var lines = new List<string>();
        var command = Prepare(root, lines);
        try
        {
            var data = Open(root);
            InspectionReport report;
            try { report = DatasetInspection.Validate(data); }
            finally { (data as IDisposable)?.Dispose(); }
            if (report.Ok)
            {
                lines.Add($"The {Name} loader opens {root} and reads all {report.Checked.Sum()} samples; none has a problem.");
                return new PreparationReport(Name, root, true, lines, command);
            }
            var errors = report.Errors.ToArray();
            lines.AddRange(errors.Take(5).Select(e => "Problem: " + e.Message));
            lines.Add($"Not ready: {errors.Length} problem(s){(errors.Length > 5 ? " (the first 5 above; 'cggm data inspect' lists them all)" : "")}.");
            return new PreparationReport(Name, root, false, lines, command);
        }
        catch (Exception e) when (e is DatasetFileException or IOException or UnauthorizedAccessException)
        {
            lines.Add($"Not ready: {e.Message}");
            return new PreparationReport(Name, root, false, lines, command);
        }
    }

    /// <summary>The dataset's own findings and instructions for <paramref name="root"/>, added to <paramref name="lines"/>; returns the data-script command that converts what is there, or null.</summary>
    protected virtual string? Prepare(string root, List<string> lines) => null;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>What a command asks of a dataset's experiment (<see cref="DatasetDescriptor.Setup"/>): where its data are and what to change in its settings.</summary>
/// <param name="Root">The dataset's own folder (null: <c>&lt;data root&gt;/&lt;name&gt;</c>).</param>
/// <param name="DataRoot">The data root (null: <c>CGGM_DATA</c>, else <c>./data</c>).</param>
/// <param name="Target">One of the dataset's <see cref="DatasetDescriptor.Targets"/> (ignored by a dataset with one task).</param>
/// <param name="Epochs">Epochs (null: the dataset's setting).</param>
/// <param name="Device">Device ("cpu", "cuda", …; null: the library default).</param>
/// <param name="Cggm">Changes CGGM's options (ρ, λ) from the dataset's (null: none).</param>
/// <param name="Modality">The modality kept by unimodal training.</param>
/// <param name="Log">Receives loader notes.</param>
public sealed record SetupRequest(string? Root = null, string? DataRoot = null, string? Target = null, int? Epochs = null, string? Device = null,
                                  Func<CggmOptions, CggmOptions>? Cggm = null, int Modality = 0, Action<string>? Log = null)
{
    /// <summary><paramref name="cggm"/> with the request's changes.</summary>
    public CggmOptions ChangeCggm(CggmOptions cggm) => Cggm?.Invoke(cggm) ?? cggm;
}
