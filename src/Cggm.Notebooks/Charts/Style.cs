using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace Cggm.Notebooks.Charts;

/// <summary>Shared chart style: one colour per modality (fused in dark grey), one dash per method, titles and legends.</summary>
public static class Style
{
    private static readonly string[] ModalityColors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
    private static readonly StyleParam.DrawingStyle[] Dashes =
        [StyleParam.DrawingStyle.Solid, StyleParam.DrawingStyle.Dash, StyleParam.DrawingStyle.Dot, StyleParam.DrawingStyle.DashDot];

    /// <summary>Colour of modality <paramref name="m"/>.</summary>
    public static Color Modality(int m) => Color.fromHex(ModalityColors[m % ModalityColors.Length]);

    /// <summary>Colour of the fused prediction.</summary>
    public static Color Fused => Color.fromHex("#333333");

    /// <summary>Line dash of the <paramref name="run"/>-th method in a chart.</summary>
    public static StyleParam.DrawingStyle Dash(int run) => Dashes[run % Dashes.Length];

    /// <summary>Colour of the <paramref name="variant"/>-th method or variant when colour does not encode a modality.</summary>
    public static Color Variant(int variant) => Color.fromHex(VariantColors[variant % VariantColors.Length]);

    private static readonly string[] VariantColors = ["#3b4cc0", "#f28e2b", "#59a14f", "#b07aa1"];

    /// <summary>Whole-number ticks on the x axis (step or epoch counts with few points).</summary>
    public static GenericChart IntegerXTicks(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        var axis = layout.TryGetTypedPropertyValue<Plotly.NET.LayoutObjects.LinearAxis>("xaxis") is { } some ? some.Value : new Plotly.NET.LayoutObjects.LinearAxis();
        axis.SetProperty("dtick", 1);
        layout.SetProperty("xaxis", axis);
        return GenericChart.setLayout(layout, chart);
    }

    /// <summary>
    /// Category charts with long labels (method names): the x axis grows its margin to fit the rotated labels and the legend
    /// moves to the right of the plot, where it cannot cover them.
    /// </summary>
    public static GenericChart LabelsBelowLegendRight(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        var axis = layout.TryGetTypedPropertyValue<Plotly.NET.LayoutObjects.LinearAxis>("xaxis") is { } some ? some.Value : new Plotly.NET.LayoutObjects.LinearAxis();
        axis.SetProperty("automargin", true);
        layout.SetProperty("xaxis", axis);
        chart = GenericChart.setLayout(layout, chart);
        return chart.WithLegendStyle(Orientation: StyleParam.Orientation.Vertical, X: 1.02, Y: 1.0, YAnchor: StyleParam.YAnchorPosition.Top);
    }

    /// <summary>Applies <paramref name="f"/> (for fluent chains).</summary>
    public static GenericChart Pipe(this GenericChart chart, Func<GenericChart, GenericChart> f) => f(chart);

    /// <summary>Adds a title, a size and a horizontal legend under the plot.</summary>
    public static GenericChart Finish(GenericChart chart, string title, int width = 900, int height = 480)
    {
        chart = Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        return chart.WithSize(width, height)
            .WithLegendStyle(Orientation: StyleParam.Orientation.Horizontal, Y: -0.18, YAnchor: StyleParam.YAnchorPosition.Top);
    }

    /// <summary>
    /// Error bars on every trace of <paramref name="chart"/> (<paramref name="property"/> "error_x" or "error_y"): +<paramref name="plus"/>
    /// and −<paramref name="minus"/> (the same as plus when null), one per point.
    /// </summary>
    public static GenericChart ErrorBars(GenericChart chart, string property, double[] plus, double[]? minus = null) =>
        GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
        {
            var error = new DynamicObj.DynamicObj();
            error.SetProperty("type", "data");
            error.SetProperty("symmetric", minus is null);
            error.SetProperty("array", plus);
            if (minus is not null) error.SetProperty("arrayminus", minus);
            error.SetProperty("visible", true);
            trace.SetProperty(property, error);
            return trace;
        }), chart);
}
