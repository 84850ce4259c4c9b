using Cggm.Experiments.Sweeps;
using Cggm.Training;
using Cggm.IO;

namespace Cggm.Cli.Sweeps;

/// <summary>
/// A sweep ready to run: the cells and, for each, the exact <c>cggm train</c> arguments. Every cell gets its own
/// <c>--runs &lt;sweep&gt;/cells/&lt;cell id&gt;</c>, so runs that differ only in a hyperparameter never share a folder;
/// <c>cggm collect</c> then groups them by what each run's <c>config.json</c> records. Written as <c>sweep.json</c> in
/// the sweep folder.
/// </summary>
/// <param name="Dataset">The dataset (<c>--dataset</c>).</param>
/// <param name="Runs">The sweep folder, as given (relative paths are relative to the working directory, the repository root on a cluster).</param>
/// <param name="Threads">Torch CPU threads per run (<c>--threads</c>; also the CPUs a cluster job asks for).</param>
/// <param name="Fixed">Arguments every cell gets: the sweep's fixed options and its one-valued axes.</param>
/// <param name="Axes">Every axis as given (one-valued ones included).</param>
/// <param name="Cells">The cells.</param>
internal sealed record SweepPlan(string Dataset, string Runs, int Threads, IReadOnlyList<string> Fixed, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<SweepCell> Cells)
{
    /// <summary>The sweep description file in the sweep folder.</summary>
    public string ManifestPath => Path.Combine(Runs, "sweep.json");

    /// <summary>The cell's own run folder (its <c>--runs</c>).</summary>
    public string CellDirectory(SweepCell cell) => Path.Combine(Runs, "cells", cell.Id);

    /// <summary>True when the cell's run wrote its <c>metrics.json</c>.</summary>
    public bool IsFinished(SweepCell cell) =>
        Directory.Exists(CellDirectory(cell)) && Directory.EnumerateFiles(CellDirectory(cell), "metrics.json", SearchOption.AllDirectories).Any();

    /// <summary>The <c>cggm train</c> arguments of a cell (without the leading "train").</summary>
    public IReadOnlyList<string> Arguments(SweepCell cell) =>
    [
        "--dataset", Dataset, "--method", cell.Method, "--seeds", cell.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--runs", CellDirectory(cell), "--threads", Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        .. Fixed, .. cell.Values.SelectMany(v => AxisArguments(v.Key, v.Value)),
    ];

    /// <summary>The <c>cggm train</c> arguments that set one axis value.</summary>
    public static IReadOnlyList<string> AxisArguments(string key, string value) => key switch
    {
        "epochs" => ["--epochs", value],
        "rho" => SweepAxis.Rho(value) is null ? ["--no-magnitude"] : ["--rho", value],
        "lambda" => ["--lambda", value],
        "modality" => ["--modality", value],
        _ => ["--set", $"{key}={value}"],
    };

    /// <summary>What must match for a sweep folder to take more cells: the dataset and the fixed arguments.</summary>
    public string Compatibility => Dataset + "\n" + string.Join("\n", Fixed);

    /// <summary>Writes <see cref="ManifestPath"/> (atomically).</summary>
    public void Save() => AtomicFile.WriteAllText(ManifestPath, Json.Serialize(new SweepManifest(1, Dataset, Threads, Fixed, Axes,
        Cells.Select(c => new SweepManifest.Cell(c.Index, c.Id, c.Method, c.Seed, c.Values.ToDictionary(v => v.Key, v => v.Value), Arguments(c))).ToArray())));

    /// <summary>Reads a sweep folder's <c>sweep.json</c>, or null when it has none.</summary>
    public static SweepManifest? Load(string runs)
    {
        var path = Path.Combine(runs, "sweep.json");
        return File.Exists(path) ? Json.Deserialize<SweepManifest>(File.ReadAllText(path), path) : null;
    }
}

/// <summary>The content of <c>sweep.json</c>: the plan and each cell's command line.</summary>
internal sealed record SweepManifest(int Format, string Dataset, int Threads, IReadOnlyList<string> Fixed, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<SweepManifest.Cell> Cells)
{
    /// <summary>One cell: its index, folder id, method, seed, axis values and <c>cggm train</c> arguments.</summary>
    public sealed record Cell(int Index, string Id, string Method, int Seed, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Arguments);

    /// <summary>See <see cref="SweepPlan.Compatibility"/>.</summary>
    public string Compatibility => Dataset + "\n" + string.Join("\n", Fixed);
}
