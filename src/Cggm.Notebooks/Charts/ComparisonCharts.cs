using Cggm.Experiments;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Cggm.Notebooks.Charts;

/// <summary>Bar charts of results and sweeps (Fig. 5), per-modality bars of one step, and 2-D scatters (Fig. 4, t-SNE).</summary>
public static class ComparisonCharts
{
    /// <summary>
    /// One bar group per x value (e.g. ρ = 0.8, 1.0, …), one bar per series, with ±std error bars: improvements over the
    /// baseline in a hyperparameter sweep, or metrics per method.
    /// </summary>
    public static GenericChart Bars(IReadOnlyList<string> x, IReadOnlyList<(string Name, IReadOnlyList<MeanStd> Values)> series,
                                    string xTitle, string yTitle, string title, double scale = 1)
    {
        var traces = series.Select((s, i) => Style.ErrorBars(Chart.Column<double, string, string>(
                values: s.Values.Select(v => v.Mean * scale).ToArray(), Keys: x.ToArray(), Name: s.Name, MarkerColor: Style.Modality(i))
            .WithTraceInfo(Name: s.Name), "error_y", s.Values.Select(v => v.Std * scale).ToArray())).ToList();
        var chart = Chart.Combine(traces);
        return Style.LabelsBelowLegendRight(Style.Finish(chart.WithXAxisStyle<string, string, string>(TitleText: xTitle)
                                 .WithYAxisStyle<double, double, string>(TitleText: yTitle), title, width: 1000));
    }

    /// <summary>The encoder gradient norm of each modality before and after modulation in one step (log scale).</summary>
    public static GenericChart GradientNormsBeforeAfter(IReadOnlyList<string> modalities, IReadOnlyList<(string Variant, double[] Before, double[] After)> steps, string title)
    {
        var traces = new List<GenericChart>();
        for (int v = 0; v < steps.Count; v++)
        {
            var (variant, before, after) = steps[v];
            traces.Add(Chart.Column<double, string, string>(values: before, Keys: modalities.ToArray(), Name: $"{variant}: before", MarkerColor: Color.fromHex(v == 0 ? "#b8b8b8" : "#7f7f7f")));
            traces.Add(Chart.Column<double, string, string>(values: after, Keys: modalities.ToArray(), Name: $"{variant}: after ×B", MarkerColor: Style.Variant(v)));
        }
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "modality")
            .WithYAxisStyle<double, double, string>(TitleText: "encoder gradient L2 norm", AxisType: StyleParam.AxisType.Log), title);
    }

    /// <summary>A 2-D scatter with one marker series per group (e.g. t-SNE of classifier vs unimodal gradients, Fig. 4).</summary>
    public static GenericChart Scatter(IReadOnlyList<(string Name, double[] X, double[] Y)> groups, string title, string xTitle = "t-SNE 1", string yTitle = "t-SNE 2")
    {
        var traces = groups.Select((g, i) => Chart.Point<double, double, string>(x: g.X, y: g.Y, Name: g.Name, MarkerColor: Style.Modality(i))).ToList();
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle), title, width: 700, height: 560);
    }
}
