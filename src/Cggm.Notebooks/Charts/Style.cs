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

    /// <summary>Adds a title, a size and a horizontal legend under the plot.</summary>
    public static GenericChart Finish(GenericChart chart, string title, int width = 900, int height = 480)
    {
        chart = Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        return chart.WithSize(width, height)
            .WithLegendStyle(Orientation: StyleParam.Orientation.Horizontal, Y: -0.18, YAnchor: StyleParam.YAnchorPosition.Top);
    }
}
