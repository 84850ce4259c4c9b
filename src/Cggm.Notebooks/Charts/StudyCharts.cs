using Cggm.Experiments;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Cggm.Notebooks.Charts;

/// <summary>Charts of notebook 12 (when does CGGM help?): paired differences with their 95 % intervals, and the imbalance curves.</summary>
public static class StudyCharts
{
    /// <summary>
    /// One horizontal bar per row of <paramref name="table"/> that has a paired difference in column <paramref name="column"/>:
    /// the mean difference with its 95 % interval as the whisker, and a line at 0. Rows read top to bottom in the table's order.
    /// </summary>
    public static GenericChart DifferenceBars(ResultTable table, int column, string title)
    {
        var col = table.Columns[column];
        var rows = table.Rows.Where(r => r.Values[column] is not null).Reverse().ToArray();   // one seed: no interval, no whisker
        if (rows.Length == 0) throw new ArgumentException($"No row has a value in column '{col.Header}'.", nameof(table));
        var means = rows.Select(r => r.Values[column]!.Mean * col.Scale).ToArray();
        var bars = Chart.Bar<double, string, string>(values: means, Keys: rows.Select(r => r.Method).ToArray(),
            Name: "mean difference, paired by seed (whisker: 95 % interval)", MarkerColor: Style.Variant(0));
        bars = Style.ErrorBars(bars, "error_x", rows.Select(r => ((r.Values[column]!.High ?? r.Values[column]!.Mean) - r.Values[column]!.Mean) * col.Scale).ToArray(),
                               rows.Select(r => (r.Values[column]!.Mean - (r.Values[column]!.Low ?? r.Values[column]!.Mean)) * col.Scale).ToArray());
        return Style.Finish(bars.WithXAxisStyle<double, double, string>(TitleText: col.Header, ZeroLine: true)
            .WithYAxisStyle<string, string, string>(TitleText: ""), title, height: Math.Max(360, 130 + 34 * rows.Length));
    }

    /// <summary>
    /// The imbalance curves: for each arm other than joint training and the unimodal ones, its gain over joint training (test
    /// accuracy, pp) against the regime, with the 95 % paired interval. Regimes run from the image weakest (left) to the audio
    /// weakest (right); each tick says how strong each modality is alone.
    /// </summary>
    public static GenericChart GainOverJoint(ImbalanceResult study, string title)
    {
        var x = RegimeTicks(study);
        var arms = study.Regimes[0].Arms.Where(a => a.GainOverJoint is not null && a.Arm.Method != Modulation.MethodNames.Unimodal).Select(a => a.Arm).ToArray();
        var traces = arms.Select((arm, i) =>
        {
            var gains = study.Regimes.Select(r => r.Arm(arm.Key).GainOverJoint!).ToArray();
            var line = Chart.Line<string, double, string>(x: x, y: gains.Select(g => 100 * g.Mean).ToArray(), Name: arm.Label, ShowMarkers: true,
                LineColor: Style.Variant(i), LineDash: arm.IsCggm ? StyleParam.DrawingStyle.Solid : StyleParam.DrawingStyle.Dot);
            return gains.All(g => g.Low is not null)
                ? Style.ErrorBars(line, "error_y", gains.Select(g => 100 * (g.High!.Value - g.Mean)).ToArray(), gains.Select(g => 100 * (g.Mean - g.Low!.Value)).ToArray())
                : line;
        }).ToList();
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "regime (accuracy of each modality alone)")
            .WithYAxisStyle<double, double, string>(TitleText: "test accuracy − joint training's (pp)", ZeroLine: true), title, height: 520);
    }

    /// <summary>
    /// Each modality classifier's test accuracy (colour = modality) per regime, for joint training (dotted), each CGGM arm (solid,
    /// one marker symbol per arm) and the modality trained alone (dashed): which encoder each method leaves better or worse.
    /// </summary>
    public static GenericChart ModalityAccuracy(ImbalanceResult study, string title)
    {
        var x = RegimeTicks(study);
        var traces = new List<GenericChart>();
        var arms = study.Regimes[0].Arms.Where(a => a.Arm.IsCggm || a.Arm.Method == Modulation.MethodNames.Joint).Select(a => a.Arm).ToArray();
        StyleParam.MarkerSymbol[] symbols = [StyleParam.MarkerSymbol.Circle, StyleParam.MarkerSymbol.Square, StyleParam.MarkerSymbol.Diamond, StyleParam.MarkerSymbol.TriangleUp, StyleParam.MarkerSymbol.X];
        for (int m = 0; m < study.Modalities.Count; m++)
        {
            int modality = m;
            traces.Add(Chart.Line<string, double, string>(x: x, y: study.Regimes.Select(r => 100 * r.Alone[modality]).ToArray(), Name: $"{study.Modalities[m]} alone",
                LineColor: Style.Modality(m), LineDash: StyleParam.DrawingStyle.Dash));
            for (int a = 0; a < arms.Length; a++)
            {
                var arm = arms[a];
                var y = study.Regimes.Select(r => r.Arm(arm.Key).ModalityAccuracy[modality] is { } v ? 100 * v.Mean : double.NaN).ToArray();
                traces.Add(Chart.Line<string, double, string>(x: x, y: y, Name: $"f({study.Modalities[m]}), {arm.Label}", ShowMarkers: true, LineColor: Style.Modality(m),
                    LineDash: arm.Method == Modulation.MethodNames.Joint ? StyleParam.DrawingStyle.Dot : StyleParam.DrawingStyle.Solid, MarkerSymbol: symbols[a % symbols.Length]));
            }
        }
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "regime (accuracy of each modality alone)")
            .WithYAxisStyle<double, double, string>(TitleText: "modality classifier test accuracy (%)"), title, height: 620)
            .Pipe(Style.LabelsBelowLegendRight);
    }

    /// <summary>
    /// Which modality B promotes: per regime and CGGM arm, the share of training steps in which the audio's coefficient is the
    /// larger one (above 50 %: the audio is promoted more often), and the share of steps in which some encoder's gradient is
    /// reversed (a negative B).
    /// </summary>
    public static GenericChart Promotion(ImbalanceResult study, string title)
    {
        var x = RegimeTicks(study);
        var arms = study.Regimes[0].Arms.Where(a => a.Arm.IsCggm).Select(a => a.Arm).ToArray();
        int audio = study.Modalities.Count - 1;
        var traces = new List<GenericChart>();
        for (int a = 0; a < arms.Length; a++)
        {
            var arm = arms[a];
            var coefficients = study.Regimes.Select(r => r.Arm(arm.Key).Coefficients).ToArray();
            traces.Add(Chart.Line<string, double, string>(x: x, y: coefficients.Select(c => c is null ? double.NaN : 100 * c.LargerRate[audio]).ToArray(),
                Name: $"{arm.Label}: steps with B(audio) the larger", ShowMarkers: true, LineColor: Style.Variant(a)));
            traces.Add(Chart.Line<string, double, string>(x: x, y: coefficients.Select(c => c is null ? double.NaN : 100 * c.NegativeRate.Max()).ToArray(),
                Name: $"{arm.Label}: steps with a reversed encoder gradient (B < 0)", ShowMarkers: true, LineColor: Style.Variant(a), LineDash: StyleParam.DrawingStyle.Dot));
        }
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "regime (accuracy of each modality alone)")
            .WithYAxisStyle<double, double, string>(TitleText: "share of training steps (%)"), title, height: 560)
            .Pipe(Style.LabelsBelowLegendRight);
    }

    /// <summary>A tick per regime: its label, a line break, and each modality's accuracy alone ("image 88 · audio 94").</summary>
    private static string[] RegimeTicks(ImbalanceResult study) => study.Regimes.Select(r =>
        $"{r.Regime.Label}<br>{string.Join(" · ", study.Modalities.Select((m, i) => $"{m} {100 * r.Alone[i]:F0}"))}").ToArray();
}
