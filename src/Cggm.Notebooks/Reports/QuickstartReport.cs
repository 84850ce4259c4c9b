using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Plotly.NET;

namespace Cggm.Notebooks.Reports;

/// <summary>The quickstart's charts and its self-contained HTML report.</summary>
public static class QuickstartReport
{
    /// <summary>One <see cref="RunSeries"/> per method (its seeds' histories), in the order the methods ran.</summary>
    public static IReadOnlyList<RunSeries> Series(IReadOnlyList<ExperimentRun> runs) =>
        runs.GroupBy(r => r.Method).Select(g => new RunSeries(g.Key, g.Select(r => r.Result.History).ToArray())).ToArray();

    /// <summary>The charts: per-modality accuracy, B_i of the CGGM runs, encoder gradient norms, modality-vs-fusion cosine.</summary>
    public static IReadOnlyList<GenericChart> Charts(QuickstartResult result)
    {
        var series = Series(result.Runs);
        var charts = new List<GenericChart> { TrainingCharts.ModalityAccuracy(series) };
        var withB = series.Where(s => s.Histories[0].Steps.Any(x => x.Coefficients is not null)).ToArray();
        if (withB.Length > 0) charts.Add(TrainingCharts.Coefficients(withB));
        charts.Add(TrainingCharts.GradientNorms(series));
        charts.Add(TrainingCharts.GradientCosine(series));
        return charts;
    }

    private static string DegenerateSteps(QuickstartResult result) => string.Join("; ", result.Runs.GroupBy(r => r.Method)
        .Where(g => g.First().Result.History.Steps.Any(s => s.DeltaUtilization is not null))
        .Select(g =>
        {
            var steps = g.SelectMany(r => r.Result.History.Steps).Where(s => s.DeltaUtilization is not null).ToArray();
            int degenerate = steps.Count(s => Math.Abs(s.DeltaUtilization!.Sum()) < 1e-6);
            double max = steps.Max(s => s.Coefficients!.Max(Math.Abs));
            return $"{g.Key}: Σ Δε = 0 on {degenerate} of {steps.Length} steps, max |B| = {max:G3}";
        })) + ".";

    /// <summary>The report page.</summary>
    public static HtmlReport Build(QuickstartResult result)
    {
        double seconds = result.Runs.Sum(r => r.Result.History.Epochs.Sum(e => e.Seconds));
        var b = result.Config.Benchmark;
        var modalities = string.Join("; ", b.Data.Modalities.Select(m => $"{m.Name}: D = {m.Dim}, signal {m.Signal}, noise {m.Noise}, nonlinearity {m.Nonlinearity}"));
        var report = new HtmlReport("CGGM quickstart: synthetic modality imbalance")
            .Paragraph("Classifier-guided Gradient Modulation (Guo, Jin, Chen, Zhao, NeurIPS 2024) against joint training on the built-in " +
                       $"synthetic benchmark: {b.Data.Classes} classes, {b.Data.TrainSize}/{b.Data.ValidSize}/{b.Data.TestSize} train/valid/test samples; {modalities}. " +
                       "The strong modality is linearly separable; the weak one is a ±μ mixture that needs a nonlinear encoder, so joint training tends to leave it under-trained.")
            .Paragraph($"Settings: {b.Trainer.Epochs} epochs, batch {b.Trainer.BatchSize}, {b.Trainer.Optimizer.Kind} lr {b.Trainer.Optimizer.LearningRate}, " +
                       $"gradient clip {b.Trainer.ClipNorm}; CGGM ρ = {b.Cggm.Rho}, λ = {b.Cggm.Lambda}, classifier lr {b.Cggm.ClassifierOptimizer.LearningRate}. " +
                       $"Seeds {string.Join(", ", result.Config.Seeds)}; the best epoch is chosen on validation accuracy and reported on the test split. " +
                       "For joint training the per-modality accuracies come from passive probe classifiers trained on detached features, which do not affect the model. " +
                       $"Training time (all runs, summed over epochs): {seconds:F0} s.")
            .Table(result.Table)
            .Heading("Training dynamics (means over seeds)");
        foreach (var chart in Charts(result)) report.Chart(chart);
        return report.Paragraph("B_i is the factor CGGM multiplies encoder i's gradient by (paper Eq. 7–8): above the red line the modality is promoted, below it suppressed. " +
                                "It is computed from the change of each classifier's accuracy between consecutive training batches, so it is noisy; " +
                                "its chart shows moving medians, the others moving averages. The released variant (cggm-reference) adds 1e-8 to Σ Δε instead of guarding it, so B reaches about ±1e6 on steps where the improvements cancel: " +
                                $"{DegenerateSteps(result)}");
    }
}
