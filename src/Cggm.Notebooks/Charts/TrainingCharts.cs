using Cggm.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Cggm.Notebooks.Charts;

/// <summary>
/// The paper's training-dynamics plots, drawn from <see cref="TrainingHistory"/> only: per-modality accuracy (Fig. 2a, 3a),
/// encoder gradient magnitude (Fig. 2b, 3b), modality-vs-fusion gradient cosine (Fig. 2c, 3c), balancing coefficients B_i
/// (Fig. 7) and losses (Fig. 6). Colour = modality, dash = method; lines are means over seeds.
/// </summary>
public static class TrainingCharts
{
    /// <summary>Validation <paramref name="metric"/> of each modality classifier f_i and of the fused prediction, per epoch.</summary>
    public static GenericChart ModalityAccuracy(IReadOnlyList<RunSeries> runs, string metric = "accuracy", string title = "Validation accuracy per modality classifier and fused", bool percent = true)
    {
        var traces = new List<GenericChart>();
        double scale = percent ? 100 : 1;
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var fused = run.EpochMean(e => e.Valid.TryGetValue(metric, out var v) ? v : null);
            traces.Add(Line(Epochs(fused.Length), fused.Select(v => v * scale), $"{run.Label}: fused", Style.Fused, r));
            for (int m = 0; m < run.Modalities.Count; m++)
            {
                int i = m;
                var values = run.EpochMean(e => e.ValidPerModality.Count > i && e.ValidPerModality[i].TryGetValue(metric, out var v) ? v : null);
                if (values.All(double.IsNaN)) continue;
                traces.Add(Line(Epochs(values.Length), values.Select(v => v * scale), $"{run.Label}: f({run.Modalities[m]})", Style.Modality(m), r));
            }
        }
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<int, int, string>(TitleText: "epoch")
            .WithYAxisStyle<double, double, string>(TitleText: percent ? $"{metric} (%)" : metric), title);
    }

    /// <summary>‖∇θ^{φ_i}𝓛‖₂ of each encoder per iteration (before modulation, or after it with <paramref name="modulated"/>), moving average, log scale.</summary>
    public static GenericChart GradientNorms(IReadOnlyList<RunSeries> runs, int window = 25, bool modulated = false, string? title = null) =>
        PerModalitySteps(runs, modulated ? s => s.GradNormModulated : s => s.GradNorm, window,
            modulated ? "encoder gradient L2 norm after modulation" : "encoder gradient L2 norm", log: true,
            title ?? $"Encoder gradient magnitude{(modulated ? " after modulation" : "")} (moving average of {window} iterations)");

    /// <summary>sim(∇W_𝓕 𝓛, ∇W_{f_i} 𝓛) per iteration: each modality's gradient direction against the fusion head's.</summary>
    public static GenericChart GradientCosine(IReadOnlyList<RunSeries> runs, int window = 25, string? title = null) =>
        PerModalitySteps(runs, s => s.Cosine, window, "cosine similarity", log: false,
            title ?? $"Modality-vs-fusion gradient cosine (moving average of {window} iterations)");

    /// <summary>ε_i, each classifier's utilization metric on its training batch, per iteration.</summary>
    public static GenericChart Utilization(IReadOnlyList<RunSeries> runs, int window = 25, string axis = "ε (batch accuracy)", string? title = null) =>
        PerModalitySteps(runs, s => s.Utilization, window, axis, log: false,
            title ?? $"Classifier utilization ε on training batches (moving average of {window} iterations)");

    /// <summary>
    /// B_i per iteration with the reference line B = 1 (no scaling): above it a modality is promoted, below it suppressed (Fig. 7).
    /// Smoothed by a moving median per seed, because the released variant's B jumps to about ±1e6 whenever Σ Δε = 0.
    /// </summary>
    public static GenericChart Coefficients(IReadOnlyList<RunSeries> runs, int window = 25, string? title = null)
    {
        var chart = PerModalityStepTraces(runs, s => s.Coefficients, v => Series.MovingMedian(v, window), out int steps);
        chart.Add(Chart.Line<int, double, string>(x: [1, Math.Max(1, steps)], y: [1.0, 1.0], Name: "B = 1 (no scaling)",
            LineColor: Color.fromHex("#e41a1c"), LineWidth: 1.0, LineDash: StyleParam.DrawingStyle.Dash));
        return Style.Finish(Chart.Combine(chart)
            .WithXAxisStyle<int, int, string>(TitleText: "iteration")
            .WithYAxisStyle<double, double, string>(TitleText: "balancing coefficient B (gradient scale factor)")
            .Pipe(c => steps <= 30 ? Style.IntegerXTicks(c) : c),
            title ?? $"Balancing coefficients B_i (moving median of {window} iterations)");
    }

    /// <summary>
    /// The task loss 𝓛_task per iteration (moving average), comparable across methods. (The back-propagated loss adds each
    /// method's own terms; with the released CGGM's coefficients near ±1e6 its λ·𝓛_gm would dwarf everything else.)
    /// </summary>
    public static GenericChart Losses(IReadOnlyList<RunSeries> runs, int window = 25, string? title = null)
    {
        var traces = new List<GenericChart>();
        for (int r = 0; r < runs.Count; r++)
        {
            var loss = Series.MovingAverage(runs[r].StepMean(s => (double?)s.TaskLoss), window);
            traces.Add(Line(Iterations(loss.Length), loss, $"{runs[r].Label}: task loss", Style.Fused, r));
        }
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<int, int, string>(TitleText: "iteration")
            .WithYAxisStyle<double, double, string>(TitleText: "task loss 𝓛_task"), title ?? $"Task loss on training batches (moving average of {window} iterations)");
    }

    /// <summary>Each modality classifier's loss on its training batch per iteration (Fig. 6, "changes in loss during training").</summary>
    public static GenericChart ClassifierLosses(IReadOnlyList<RunSeries> runs, int window = 25, string? title = null) =>
        PerModalitySteps(runs, s => s.ClassifierLoss, window, "modality classifier loss on the training batch", log: false,
            title ?? $"Per-modality classifier loss (moving average of {window} iterations)");

    private static GenericChart PerModalitySteps(IReadOnlyList<RunSeries> runs, Func<StepRecord, double[]?> select, int window, string axis, bool log, string title)
    {
        var traces = PerModalityStepTraces(runs, select, v => Series.MovingAverage(v, window), out _);
        var chart = Chart.Combine(traces).WithXAxisStyle<int, int, string>(TitleText: "iteration");
        chart = log
            ? chart.WithYAxisStyle<double, double, string>(TitleText: axis, AxisType: StyleParam.AxisType.Log)
            : chart.WithYAxisStyle<double, double, string>(TitleText: axis);
        return Style.Finish(chart, title);
    }

    private static List<GenericChart> PerModalityStepTraces(IReadOnlyList<RunSeries> runs, Func<StepRecord, double[]?> select,
                                                            Func<IReadOnlyList<double>, double[]> smooth, out int steps)
    {
        var traces = new List<GenericChart>();
        steps = 0;
        for (int r = 0; r < runs.Count; r++)
        {
            for (int m = 0; m < runs[r].Modalities.Count; m++)
            {
                var mean = runs[r].StepMean(select, m, smooth);
                if (mean.Length == 0) continue;
                steps = Math.Max(steps, mean.Length);
                traces.Add(Line(Iterations(mean.Length), mean, $"{runs[r].Label}: {runs[r].Modalities[m]}", Style.Modality(m), r));
            }
        }
        if (traces.Count == 0) throw new ArgumentException("None of the runs recorded this quantity.", nameof(runs));
        return traces;
    }

    private static GenericChart Line(IEnumerable<int> x, IEnumerable<double> y, string name, Color color, int run) =>
        Chart.Line<int, double, string>(x: x.ToArray(), y: y.ToArray(), Name: name, LineColor: color, LineWidth: 2.0, LineDash: Style.Dash(run));

    private static IEnumerable<int> Epochs(int n) => Enumerable.Range(1, n);

    private static IEnumerable<int> Iterations(int n) => Enumerable.Range(1, n);
}
