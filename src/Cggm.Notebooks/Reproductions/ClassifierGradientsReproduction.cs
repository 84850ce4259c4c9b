using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Microsoft.Data.Analysis;

namespace Cggm.Notebooks.Reproductions;

/// <summary>08-classifier-gradients: Fig. 4, t-SNE of per-batch classifier gradients against unimodal gradients, one panel per dataset.</summary>
public sealed class ClassifierGradientsReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "classifier-gradients";

    /// <inheritdoc />
    public string Notebook => "08-classifier-gradients";

    /// <inheritdoc />
    public string Title => "Fig. 4: classifier gradients vs unimodal gradients (t-SNE), one panel per dataset";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(ClassifierGradients.Run(profile, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of the collected panels.</summary>
    public static ReproductionResult Build(ClassifierGradientsResult result)
    {
        var rows = result.Panels.SelectMany(p => p.Agreement.Select(a => (Panel: p, Row: a))).ToArray();
        var agreement = new DataFrame(
            new StringDataFrameColumn("Dataset", rows.Select(r => r.Panel.Dataset.DisplayName)),
            new StringDataFrameColumn("Modality", rows.Select(r => r.Row.Modality)),
            new Int32DataFrameColumn("Batches", rows.Select(r => r.Row.Batches)),
            new DoubleDataFrameColumn("cos(g_i, u_i)", rows.Select(r => Round(r.Row.ClassifierVsUnimodal))),
            new DoubleDataFrameColumn("cos(g_i, u_j), j ≠ i", rows.Select(r => Round(r.Row.ClassifierVsOtherUnimodal))),
            new DoubleDataFrameColumn("cos(g_F, g_i) (used by CGGM)", rows.Select(r => Round(r.Row.FusionVsClassifier))),
            new DoubleDataFrameColumn("cos(g_F, u_i) (stood in for)", rows.Select(r => Round(r.Row.FusionVsUnimodal))),
            new DoubleDataFrameColumn("corr over batches", rows.Select(r => Round(r.Row.StandInCorrelation))));
        var charts = result.Panels.Select(p => new NamedChart($"tsne-{p.Dataset.Name}", ReproductionCharts.GradientTsne(p))).ToArray();
        var notes = new List<string>
        {
            "g_i: gradient of classifier f_i's output-layer weight on its own loss; u_i: gradient of the fusion head's output-layer weight when only h_i is " +
            "fed to the fusion (other features zeroed); g_F: the same head gradient with every modality. All in evaluation mode at the parameters after " +
            "each training step of CGGM (paper variant), L2-normalised before t-SNE.",
        };
        notes.AddRange(result.Panels.Select(p => $"{p.Dataset.DisplayName}: {p.Steps} training steps, t-SNE perplexity {p.Embedding.Perplexity:G3}, " +
                                                  $"KL(P‖Q) {p.Embedding.KlDivergence:F3}{(p.IsSample ? "; sample data: not the paper's numbers" : "")}."));
        return new ReproductionResult("classifier-gradients", "Fig. 4: classifier vs unimodal gradients", result.Profile,
            [new NamedTable("agreement", agreement)], charts, notes);
    }

    private static double? Round(double v) => double.IsNaN(v) ? null : Math.Round(v, 3);
}
