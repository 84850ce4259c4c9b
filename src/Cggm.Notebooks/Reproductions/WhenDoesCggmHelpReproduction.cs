using Cggm.Experiments;
using Cggm.IO;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;

namespace Cggm.Notebooks.Reproductions;

/// <summary>12-when-does-cggm-help: the ladder, the ablation, the sweeps and the controlled-imbalance study on the audio-visual digits.</summary>
public sealed class WhenDoesCggmHelpReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => WhenDoesCggmHelp.Name;

    /// <inheritdoc />
    public string Notebook => "12-when-does-cggm-help";

    /// <inheritdoc />
    public string Title => "When does CGGM help? Its parts, its hyperparameters and controlled imbalance, on real data";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(WhenDoesCggmHelp.Run(profile, dataRoot, runRoot: RepositoryPaths.Runs(Name, profile.ToString().ToLowerInvariant()), progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of a finished study.</summary>
    public static ReproductionResult Build(WhenDoesCggmHelpResult result)
    {
        var ladder = result.LadderTable();
        var ablation = result.AblationTable();
        var rho = result.SweepTable(CggmHyperparameter.Rho);
        var lambda = result.SweepTable(CggmHyperparameter.Lambda);
        var imbalance = result.Imbalance.Table();
        var tables = new List<NamedTable>
        {
            new("ladder", DataFrames.From(ladder), ladder), new("ablation", DataFrames.From(ablation), ablation),
            new("rho", DataFrames.From(rho), rho), new("lambda", DataFrames.From(lambda), lambda), new("imbalance", DataFrames.From(imbalance), imbalance),
        };
        var charts = new List<NamedChart>
        {
            new("ladder", StudyCharts.DifferenceBars(ladder, 1, "Each rung against joint training: test accuracy difference, paired by seed (95 % interval)")),
            new("ablation", StudyCharts.DifferenceBars(ablation, 1, "Magnitude only, direction only, both: against joint training (95 % interval)")),
            new("rho", StudyCharts.DifferenceBars(rho, 1, "ρ sweep (CGGM as the paper writes it): against joint training (95 % interval)")),
            new("lambda", StudyCharts.DifferenceBars(lambda, 1, "λ sweep (CGGM as the paper writes it): against joint training (95 % interval)")),
            new("imbalance-gain", StudyCharts.GainOverJoint(result.Imbalance, "Gain over joint training as the imbalance moves from image-weak to audio-weak (95 % interval)")),
            new("imbalance-modalities", StudyCharts.ModalityAccuracy(result.Imbalance, "Each modality's classifier: alone (dashed), joint training (dotted), CGGM (solid)")),
            new("imbalance-promotion", StudyCharts.Promotion(result.Imbalance, "Which modality B promotes, and how often it reverses an encoder's gradient")),
        };
        var c = result.Config;
        var notes = new List<string>
        {
            $"{result.Describe} Ladder, ablation and sweeps: seeds {string.Join(", ", c.Seeds)}; imbalance study: seeds {string.Join(", ", c.ImbalanceSeeds)}, " +
            $"{c.Regimes.Count} regimes. Every difference is paired by seed (same initial weights and batches) with a 95 % Student-t interval.",
            "The audio-visual digits pair each FSDD recording with a random MNIST image of the same digit: the modalities share only the label, and FSDD's " +
            "six speakers are in both train and test. These are results on this dataset, not the paper's.",
        };
        if (result.IsSample) notes.Add("SAMPLE data in the dataset's layout (no real data under the data root): the numbers mean nothing; run data-scripts/av-digits/get-data.sh.");
        return new ReproductionResult(WhenDoesCggmHelp.Name, "When does CGGM help?", result.Profile, tables, charts, notes);
    }
}
