using Cggm.Experiments;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Cggm.Notebooks.Charts;

/// <summary>Charts of notebooks 05, 06, 08, 09 and 10: method tables as bars, Fig. 4 t-SNE panels, the quirk ladder and Table 8.</summary>
public static class ReproductionCharts
{
    private static readonly Color Ours = Color.fromHex("#4c72b0");
    private static readonly Color Paper = Color.fromHex("#d62728");

    /// <summary>
    /// One horizontal bar per row of <paramref name="table"/> for column <paramref name="column"/> (mean with a ±std whisker),
    /// and the paper's reported value as a red diamond where it is public. Rows read top to bottom in the table's order.
    /// </summary>
    public static GenericChart MethodBars(ResultTable table, int column, string title)
    {
        if (column < 0 || column >= table.Columns.Count)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"The table has {table.Columns.Count} columns.");
        var col = table.Columns[column];
        var rows = table.Rows.Where(r => r.Values[column] is not null).Reverse().ToArray();   // Plotly draws the first category at the bottom
        if (rows.Length == 0) throw new ArgumentException($"No row has a value in column '{col.Header}'.", nameof(table));
        var names = rows.Select(r => r.Method).ToArray();
        var bars = Chart.Bar<double, string, string>(values: rows.Select(r => r.Values[column]!.Mean * col.Scale).ToArray(), Keys: names, Name: "ours (mean ± std over seeds)", MarkerColor: Ours);
        bars = Style.ErrorBars(bars, "error_x", rows.Select(r => r.Values[column]!.Std * col.Scale).ToArray());
        var traces = new List<GenericChart> { bars };
        var paper = rows.Where(r => r.Paper?[column] is not null).ToArray();
        if (paper.Length > 0)
            traces.Add(Chart.Point<double, string, string>(x: paper.Select(r => r.Paper![column]!.Value).ToArray(), y: paper.Select(r => r.Method).ToArray(),
                Name: "paper (reported)", MarkerColor: Paper, MarkerSymbol: StyleParam.MarkerSymbol.Diamond));
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: col.Header)
            .WithYAxisStyle<string, string, string>(TitleText: ""), title, height: Math.Max(360, 110 + 26 * rows.Length));
    }

    /// <summary>
    /// One Fig. 4 panel: the t-SNE map of the per-batch gradients, colour = modality, filled circle = classifier gradient g_i,
    /// cross = unimodal gradient u_i.
    /// </summary>
    public static GenericChart GradientTsne(GradientPanel panel)
    {
        var traces = new List<GenericChart>();
        for (int m = 0; m < panel.Modalities.Count; m++)
        {
            foreach (bool classifier in new[] { true, false })
            {
                var pts = panel.Points.Where(p => p.Modality == m && p.Classifier == classifier).ToArray();
                if (pts.Length == 0) continue;
                traces.Add(Chart.Point<double, double, string>(x: pts.Select(p => p.X).ToArray(), y: pts.Select(p => p.Y).ToArray(),
                    Name: $"{panel.Modalities[m]}: {(classifier ? "classifier f_i" : "unimodal (only h_i fed)")}",
                    MarkerColor: Style.Modality(m), Opacity: classifier ? 0.75 : 0.9,
                    MarkerSymbol: classifier ? StyleParam.MarkerSymbol.Circle : StyleParam.MarkerSymbol.X));
            }
        }
        string title = $"{panel.Dataset.DisplayName}: per-batch output-layer gradients (t-SNE of the unit vectors, {panel.Points.Count / (2 * panel.Modalities.Count)} batches)";
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "t-SNE 1")
            .WithYAxisStyle<double, double, string>(TitleText: "t-SNE 2"), title, width: 760, height: 600);
    }

    /// <summary>The change each quirk of the released code makes (rows 2..n of the ladder table), with ±std whiskers over seeds.</summary>
    public static GenericChart QuirkEffects(ResultTable ladder, string title)
    {
        var rows = ladder.Rows.Where(r => r.Values[1] is not null).Reverse().ToArray();
        var col = ladder.Columns[1];
        var bars = Chart.Bar<double, string, string>(values: rows.Select(r => r.Values[1]!.Mean * col.Scale).ToArray(), Keys: rows.Select(r => r.Method).ToArray(),
            Name: "change from the row above (mean ± std of per-seed differences)", MarkerColor: Ours);
        bars = Style.ErrorBars(bars, "error_x", rows.Select(r => r.Values[1]!.Std * col.Scale).ToArray());
        return Style.Finish(bars.WithXAxisStyle<double, double, string>(TitleText: col.Header)
            .WithYAxisStyle<string, string, string>(TitleText: ""), title, height: Math.Max(360, 130 + 34 * rows.Length));
    }

    /// <summary>Table 8: the classifiers' parameters, gradients and optimizer state at the paper's model sizes, MB per dataset (log scale).</summary>
    public static GenericChart ClassifierMemory(IReadOnlyList<ClassifierCostRow> rows, string title)
    {
        var names = rows.Select(r => r.Dataset.DisplayName).ToArray();
        (string Name, Func<ClassifierCostRow, long> Bytes)[] parts =
            [("parameters", r => r.PaperFootprint.ParameterBytes), ("gradients", r => r.PaperFootprint.GradientBytes), ("optimizer state", r => r.PaperFootprint.OptimizerStateBytes)];
        var traces = parts.Select((p, i) => Chart.Column<double, string, string>(values: rows.Select(r => p.Bytes(r) / 1e6).ToArray(), Keys: names, Name: p.Name, MarkerColor: Style.Variant(i))).ToList();
        return Style.Finish(Chart.Combine(traces)
            .WithXAxisStyle<string, string, string>(TitleText: "dataset (paper-size model)")
            .WithYAxisStyle<double, double, string>(TitleText: "MB (float32)", AxisType: StyleParam.AxisType.Log), title);
    }

    /// <summary>Table 8, measured: the extra time per step of the classifiers and of the whole CGGM step, in % of a joint-training step.</summary>
    public static GenericChart ClassifierTime(IReadOnlyList<ClassifierCostRow> rows, string title)
    {
        var names = rows.Select(r => r.Dataset.DisplayName).ToArray();
        var classifiers = rows.Select(r => 100 * r.Measured.ExtraSecondsPerStep / r.Measured.Joint.MedianSeconds).ToArray();
        var cggm = rows.Select(r => 100 * r.Measured.CggmExtraSecondsPerStep / r.Measured.Joint.MedianSeconds).ToArray();
        return Style.Finish(Chart.Combine(
            [
                Chart.Column<double, string, string>(values: classifiers, Keys: names, Name: "classifiers f_i", MarkerColor: Style.Variant(0)),
                Chart.Column<double, string, string>(values: cggm, Keys: names, Name: "whole CGGM step (paper variant)", MarkerColor: Style.Variant(1)),
            ])
            .WithXAxisStyle<string, string, string>(TitleText: "dataset (model measured: see the table)")
            .WithYAxisStyle<double, double, string>(TitleText: "extra time per training step (% of joint training)"), title);
    }
}
