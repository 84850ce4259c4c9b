using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;
using Cggm.IO;

namespace Cggm.Notebooks.Reproductions;

/// <summary>00-quickstart: joint training vs CGGM (both variants) on the synthetic imbalance benchmark.</summary>
public sealed class QuickstartReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "quickstart";

    /// <inheritdoc />
    public string Notebook => "00-quickstart";

    /// <inheritdoc />
    public string Title => "Quickstart: joint training vs CGGM on a synthetic modality imbalance";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var result = Quickstart.Run(QuickstartConfig.For(profile), RepositoryPaths.Runs("quickstart", profile.ToString().ToLowerInvariant()), resume: true, progress, cancellation);
        return Build(result, profile);
    }

    /// <summary>Tables and charts of a finished quickstart.</summary>
    public static ReproductionResult Build(QuickstartResult result, Profile profile)
    {
        var series = Reports.QuickstartReport.Series(result.Runs);
        var charts = new List<NamedChart>
        {
            new("modality-accuracy", TrainingCharts.ModalityAccuracy(series)),
            new("coefficients", TrainingCharts.Coefficients(series.Where(s => s.Histories[0].Steps.Any(x => x.Coefficients is not null)).ToArray())),
            new("gradient-norms", TrainingCharts.GradientNorms(series)),
            new("gradient-cosine", TrainingCharts.GradientCosine(series)),
            new("loss", TrainingCharts.Losses(series)),
        };
        if (series.All(s => s.Histories.All(h => h.Steps.Any(x => x.ClassifierLoss is not null))))
            charts.Add(new("classifier-loss", TrainingCharts.ClassifierLosses(series)));
        return new ReproductionResult("quickstart", "Quickstart", profile,
            [new NamedTable("results", DataFrames.From(result.Table), result.Table)], charts,
            [$"Seeds {string.Join(", ", result.Config.Seeds)}; {result.Config.Benchmark.Trainer.Epochs} epochs; best epoch on validation accuracy, reported on test."]);
    }
}
