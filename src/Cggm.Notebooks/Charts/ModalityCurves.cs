using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;
using Cggm.Modulation;

namespace Cggm.Notebooks.Charts;

/// <summary>
/// Per-modality accuracy curves across methods (the paper's Fig. 2a / 3a question, asked of many methods at once): which
/// modality dominates under joint training, and how each balancing method changes what each encoder learns. Lines are
/// means over seeds of the validation metric recorded after every epoch.
/// </summary>
public static class ModalityCurves
{
    private static readonly string[] Palette =
    [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
        "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    ];

    /// <summary>
    /// The joint run's fused accuracy and each modality classifier's accuracy f_i (solid), against what each modality reaches
    /// when trained alone (<paramref name="unimodal"/>: one unimodal run per modality, in modality order; dashed). A modality
    /// whose f_i under joint training stays below its unimodal curve is under-trained by the joint model.
    /// </summary>
    public static GenericChart Dominance(RunSeries joint, IReadOnlyList<RunSeries> unimodal, string metric = "accuracy", string? title = null)
    {
        var traces = new List<GenericChart>();
        var fused = joint.EpochMean(e => e.Valid.TryGetValue(metric, out var v) ? v : null);
        traces.Add(Line(fused, $"{joint.Label}: fused", Style.Fused, StyleParam.DrawingStyle.Solid, 3));
        for (int m = 0; m < joint.Modalities.Count; m++)
        {
            int i = m;
            var values = joint.EpochMean(e => e.ValidPerModality.Count > i && e.ValidPerModality[i].TryGetValue(metric, out var v) ? v : null);
            if (!values.All(double.IsNaN)) traces.Add(Line(values, $"{joint.Label}: f({joint.Modalities[m]})", Style.Modality(m), StyleParam.DrawingStyle.Solid, 2));
        }
        for (int m = 0; m < unimodal.Count; m++)
        {
            var alone = unimodal[m].EpochMean(e => e.Valid.TryGetValue(metric, out var v) ? v : null);
            traces.Add(Line(alone, $"{unimodal[m].Label} (trained alone)", Style.Modality(m), StyleParam.DrawingStyle.Dash, 2));
        }
        return Finish(traces, $"validation {metric} (%)",
            title ?? "Joint training: each modality's classifier f_i against that modality trained alone");
    }

    /// <summary>Validation <paramref name="metric"/> of modality classifier f_<paramref name="modality"/> per epoch, one line per method.</summary>
    public static GenericChart ByMethod(IReadOnlyList<RunSeries> runs, int modality, string metric = "accuracy", string? title = null)
    {
        if (runs.Count == 0) throw new ArgumentException("No runs to draw.", nameof(runs));
        var name = runs[0].Modalities[modality];
        var traces = new List<GenericChart>();
        for (int r = 0; r < runs.Count; r++)
        {
            var values = runs[r].EpochMean(e => e.ValidPerModality.Count > modality && e.ValidPerModality[modality].TryGetValue(metric, out var v) ? v : null);
            if (values.All(double.IsNaN)) continue;
            bool cggm = runs[r].Label.StartsWith(MethodNames.Cggm, StringComparison.Ordinal), joint = runs[r].Label == MethodNames.Joint;
            traces.Add(Line(values, runs[r].Label, Color.fromHex(Palette[r % Palette.Length]),
                joint ? StyleParam.DrawingStyle.Dash : StyleParam.DrawingStyle.Solid, cggm || joint ? 3.5 : 1.5));
        }
        if (traces.Count == 0) throw new ArgumentException($"None of the runs recorded f({name}) {metric}.", nameof(runs));
        return Finish(traces, $"f({name}) validation {metric} (%)", title ?? $"What each method does to the {name} encoder: f({name}) validation {metric} per epoch");
    }

    private static GenericChart Line(double[] values, string name, Color color, StyleParam.DrawingStyle dash, double width) =>
        Chart.Line<int, double, string>(x: Enumerable.Range(1, values.Length).ToArray(), y: values.Select(v => v * 100).ToArray(),
            Name: name, ShowMarkers: values.Length <= 30, LineColor: color, LineWidth: width, LineDash: dash);

    private static GenericChart Finish(List<GenericChart> traces, string axis, string title)
    {
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<int, int, string>(TitleText: "epoch")
            .WithYAxisStyle<double, double, string>(TitleText: axis);
        return Style.Finish(Style.IntegerXTicks(chart), title, height: 560);
    }
}
