using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;
using Cggm.Modulation;

namespace Cggm.Notebooks.Reproductions;

/// <summary>02-gradient-analysis: per-modality accuracy, gradient magnitude and modality-vs-fusion cosine on CMU-MOSI, joint training (Fig. 2) vs CGGM (Fig. 3).</summary>
public sealed class GradientAnalysisReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "gradient-analysis";

    /// <inheritdoc />
    public string Notebook => "02-gradient-analysis";

    /// <inheritdoc />
    public string Title => "Gradient analysis on CMU-MOSI: joint training (Fig. 2) vs CGGM (Fig. 3)";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(GradientAnalysis.Run(profile, dataRoot, progress: progress, cancellation: cancellation));

    /// <summary>Tables and charts of a finished analysis: Fig. 2a–c from the joint-training runs, Fig. 3a–c from the CGGM runs.</summary>
    public static ReproductionResult Build(GradientAnalysisResult result)
    {
        var joint = Series(result, MethodNames.Joint);
        var cggm = Series(result, MethodNames.Cggm);
        int window = ReproductionDefaults.Window(joint);
        string metric = result.Metric == "acc2" ? "Acc-2" : "accuracy";
        var charts = new List<NamedChart>
        {
            new("fig2a-accuracy", TrainingCharts.ModalityAccuracy([joint], result.Metric, $"Fig. 2a · joint training: validation {metric} of each modality classifier and of the fused prediction")),
            new("fig2b-gradient-norms", TrainingCharts.GradientNorms([joint], window, title: $"Fig. 2b · joint training: encoder gradient L2 norm (moving average of {window} iterations)")),
            new("fig2c-gradient-cosine", TrainingCharts.GradientCosine([joint], window, $"Fig. 2c · joint training: cosine of each modality's and the fusion gradient (moving average of {window})")),
            new("fig3a-accuracy", TrainingCharts.ModalityAccuracy([cggm], result.Metric, $"Fig. 3a · CGGM: validation {metric} of each modality classifier and of the fused prediction")),
            new("fig3b-gradient-norms", TrainingCharts.GradientNorms([cggm], window, modulated: true, title: $"Fig. 3b · CGGM: encoder gradient L2 norm after scaling by B_i (moving average of {window} iterations)")),
            new("fig3c-gradient-cosine", TrainingCharts.GradientCosine([cggm], window, $"Fig. 3c · CGGM: cosine of each modality's and the fusion gradient (moving average of {window})")),
        };
        var notes = new List<string>
        {
            result.Settings,
            $"Seeds {string.Join(", ", result.Seeds)}; lines are means over seeds; best epoch on validation, reported on test.",
        };
        if (result.IsSample) notes.Insert(0, ReproductionDefaults.SampleNote);
        return new ReproductionResult("gradient-analysis", "Gradient analysis on CMU-MOSI (Fig. 2, Fig. 3)", result.Profile,
            [new NamedTable("results", DataFrames.From(result.Results), result.Results), new NamedTable("dynamics", DataFrames.From(result.Dynamics), result.Dynamics)],
            charts, notes);
    }

    private static RunSeries Series(GradientAnalysisResult result, string method) =>
        new(method, result.Runs.Where(r => r.Method == method).Select(r => r.Result.History).ToArray());
}
