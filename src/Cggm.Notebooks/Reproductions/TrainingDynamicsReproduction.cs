using Cggm.Analysis;
using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Microsoft.Data.Analysis;
using Plotly.NET.CSharp;
using Cggm.IO;

namespace Cggm.Notebooks.Reproductions;

/// <summary>09-training-dynamics-and-cost: Fig. 6 (per-modality losses), Fig. 7 (B_i over iterations) and Table 8 (the classifiers' cost).</summary>
public sealed class TrainingDynamicsReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "training-dynamics-and-cost";

    /// <inheritdoc />
    public string Notebook => "09-training-dynamics-and-cost";

    /// <inheritdoc />
    public string Title => "Fig. 6 (per-modality losses), Fig. 7 (B over iterations) and Table 8 (cost of the classifiers)";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var dynamics = TrainingDynamics.Run(profile, dataRoot, runRoot: RepositoryPaths.Runs(Name, profile.ToString().ToLowerInvariant()), progress: progress, cancellation: cancellation);
        var cost = ClassifierCostTable.Run(profile, dataRoot, cancellation: cancellation);
        return Build(dynamics, cost);
    }

    /// <summary>Tables and charts of the finished runs and measurements.</summary>
    public static ReproductionResult Build(TrainingDynamicsResult dynamics, IReadOnlyList<ClassifierCostRow> cost)
    {
        var series = dynamics.Configurations.Select(c => new RunSeries(c.Label, dynamics.Runs[c.Label].Select(r => r.Result.History).ToArray())).ToArray();
        int steps = series[0].Histories[0].Steps.Count, window = Math.Clamp(steps / 12, 1, 25);
        var lossRange = LossRange(series, window);
        var charts = new List<NamedChart>();
        for (int c = 0; c < series.Length; c++)
            charts.Add(new NamedChart($"losses-{dynamics.Configurations[c].Panel.Trim('(', ')')}", TrainingCharts.ClassifierLosses([series[c]], window,
                    $"Fig. 6{dynamics.Configurations[c].Panel} {dynamics.Configurations[c].Label}: per-modality classifier loss (moving average of {window})")
                .WithYAxisStyle<double, double, string>(TitleText: "modality classifier loss on the training batch", MinMax: lossRange)));
        var cggm = series[^1];
        charts.Add(new NamedChart("coefficients", TrainingCharts.Coefficients([cggm], window,
            $"Fig. 7: B_i per iteration, {dynamics.Configurations[^1].Label} (moving median of {window})")));
        charts.Add(new NamedChart("classifier-memory", ReproductionCharts.ClassifierMemory(cost, "Table 8: memory the classifiers add by construction (paper-size models)")));
        charts.Add(new NamedChart("classifier-time", ReproductionCharts.ClassifierTime(cost, $"Table 8: extra time per step, measured on {cost[0].Measured.Device}")));

        var last = dynamics.Configurations.Select(c => (c, Final: FinalLosses(dynamics.Runs[c.Label].Select(r => r.Result.History).ToArray(), dynamics.Modalities.Count, window))).ToArray();
        var finalLosses = new DataFrame(new DataFrameColumn[] { new StringDataFrameColumn("Configuration", last.Select(l => $"{l.c.Panel} {l.c.Label}")) }
            .Concat(dynamics.Modalities.Select((m, i) => (DataFrameColumn)new DoubleDataFrameColumn($"final f({m}) loss", last.Select(l => (double?)Math.Round(l.Final[i], 4))))));
        var notes = new List<string>
        {
            $"Fig. 6 and 7 on {dynamics.Dataset.DisplayName} ({dynamics.Profile} profile, {dynamics.Epochs} epochs, {steps} iterations per run" +
            $"{(dynamics.IsSample ? "; sample data: not the paper's numbers" : "")}). What separates the paper's panels (b)–(d) is not stated; we draw magnitude only, direction only and both.",
            "Table 8: MB columns are exact counts at the paper's model sizes (float32); time and peak resident memory are measured on this machine's " +
            $"{cost[0].Measured.Device} at the model and batch in the 'measured' column (the paper reports GPU memory, not public as text: its column is blank).",
        };
        return new ReproductionResult("training-dynamics-and-cost", "Fig. 6, Fig. 7 and Table 8", dynamics.Profile,
            [new NamedTable("table8", Table8(cost)), new NamedTable("final-losses", finalLosses)], charts, notes);
    }

    /// <summary>Table 8 as a DataFrame: one row per dataset.</summary>
    public static DataFrame Table8(IReadOnlyList<ClassifierCostRow> rows)
    {
        static double? Mb(long? bytes) => bytes is { } b ? Math.Round(b / 1e6, 2) : null;
        return new DataFrame(
            new StringDataFrameColumn("Dataset", rows.Select(r => r.Dataset.DisplayName)),
            new Int64DataFrameColumn("classifier parameters (paper size)", rows.Select(r => (long?)r.PaperFootprint.ClassifierParameters)),
            new DoubleDataFrameColumn("% of model parameters", rows.Select(r => (double?)Math.Round(100 * r.PaperFootprint.RelativeToModel, 2))),
            new DoubleDataFrameColumn("params + grads + optimizer state (MB)", rows.Select(r => Mb(r.PaperFootprint.TotalBytes))),
            new DoubleDataFrameColumn("paper: extra GPU memory (MB)", rows.Select(_ => (double?)null)),
            new StringDataFrameColumn("measured", rows.Select(r => r.MeasuredModel + (r.IsSample ? ", sample data" : ""))),
            new DoubleDataFrameColumn("joint step (s)", rows.Select(r => (double?)Math.Round(r.Measured.Joint.MedianSeconds, 4))),
            new DoubleDataFrameColumn("extra s/step, classifiers", rows.Select(r => (double?)Math.Round(r.Measured.ExtraSecondsPerStep, 4))),
            new DoubleDataFrameColumn("extra s/step, whole CGGM", rows.Select(r => (double?)Math.Round(r.Measured.CggmExtraSecondsPerStep, 4))),
            new DoubleDataFrameColumn("extra peak RSS (MB), classifiers", rows.Select(r => Mb(r.Measured.ExtraPeakBytes))),
            new DoubleDataFrameColumn("extra peak RSS (MB), whole CGGM", rows.Select(r => Mb(r.Measured.CggmExtraPeakBytes))));
    }

    private static double[] FinalLosses(IReadOnlyList<Training.TrainingHistory> histories, int modalities, int window) =>
        Enumerable.Range(0, modalities).Select(m => histories.Average(h =>
        {
            var values = h.Steps.Where(s => s.ClassifierLoss is not null).Select(s => s.ClassifierLoss![m]).ToArray();
            return values.Length == 0 ? double.NaN : values[^Math.Min(window, values.Length)..].Average();
        })).ToArray();

    private static Tuple<double, double> LossRange(IReadOnlyList<RunSeries> series, int window)
    {
        var all = series.SelectMany(s => Enumerable.Range(0, s.Modalities.Count).SelectMany(m => s.StepMean(x => x.ClassifierLoss, m, v => Series.MovingAverage(v, window))))
            .Where(double.IsFinite).ToArray();
        if (all.Length == 0) return Tuple.Create(0.0, 1.0);
        double lo = all.Min(), hi = all.Max(), pad = 0.05 * Math.Max(hi - lo, 1e-6);
        return Tuple.Create(Math.Max(0, lo - pad), hi + pad);
    }
}
