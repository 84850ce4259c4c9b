using Cggm.Experiments;
using Cggm.Training;
using Microsoft.Data.Analysis;

namespace Cggm.Notebooks.Tables;

/// <summary>Results as Microsoft.Data.Analysis <see cref="DataFrame"/>s, the tables the notebooks display.</summary>
public static class DataFrames
{
    /// <summary>
    /// One row per method; per metric a column "mean ± std" over seeds, and, when the paper reports any value of that
    /// metric, a column "&lt;metric&gt; paper" beside it (empty where the paper gives none).
    /// </summary>
    public static DataFrame From(ResultTable table)
    {
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn("Method", table.Rows.Select(r => r.Method)) };
        for (int c = 0; c < table.Columns.Count; c++)
        {
            var col = table.Columns[c];
            int i = c;
            columns.Add(new StringDataFrameColumn(col.Header, table.Rows.Select(r => r.Values[i]?.Format(col.Decimals, col.Scale) ?? "")));
            if (table.Rows.Any(r => r.Paper?[i] is not null))
                columns.Add(new DoubleDataFrameColumn(col.Header + " paper", table.Rows.Select(r => r.Paper?[i])));
        }
        return new DataFrame(columns);
    }

    /// <summary>Several steps in long form: one row per (variant, step, modality) with the columns of <see cref="Step"/>.</summary>
    public static DataFrame Steps(IReadOnlyList<(string Variant, StepRecord Step)> steps, IReadOnlyList<string> modalities)
    {
        DataFrame? all = null;
        foreach (var (variant, step) in steps)
        {
            var frame = Step(step, modalities);
            frame.Columns.Insert(0, new StringDataFrameColumn("variant", Enumerable.Repeat(variant, modalities.Count)));
            frame.Columns.Insert(1, new Int32DataFrameColumn("step", Enumerable.Repeat(step.GlobalStep + 1, modalities.Count)));
            all = all is null ? frame : all.Append(frame.Rows, inPlace: false);
        }
        return all ?? throw new ArgumentException("No steps given.", nameof(steps));
    }

    /// <summary>
    /// One row per modality of one training step: ε, Δε, B, the encoder gradient norm before and after modulation, the
    /// cosine term, and (on every row) 𝓛_task, 𝓛_gm and the loss back-propagated.
    /// </summary>
    public static DataFrame Step(StepRecord step, IReadOnlyList<string> modalities)
    {
        double? At(double[]? v, int m) => v is null ? null : v[m];
        var rows = Enumerable.Range(0, modalities.Count).ToArray();
        return new DataFrame(
            new StringDataFrameColumn("modality", modalities),
            new DoubleDataFrameColumn("ε (batch metric)", rows.Select(m => At(step.Utilization, m))),
            new DoubleDataFrameColumn("Δε", rows.Select(m => At(step.DeltaUtilization, m))),
            new DoubleDataFrameColumn("B", rows.Select(m => At(step.Coefficients, m))),
            new DoubleDataFrameColumn("‖∇φ‖ before", rows.Select(m => At(step.GradNorm, m))),
            new DoubleDataFrameColumn("‖∇φ‖ after", rows.Select(m => At(step.GradNormModulated, m) ?? At(step.GradNorm, m))),
            new DoubleDataFrameColumn("cos", rows.Select(m => At(step.Cosine, m))),
            new DoubleDataFrameColumn("L_task", rows.Select(_ => (double?)step.TaskLoss)),
            new DoubleDataFrameColumn("L_gm", rows.Select(_ => step.DirectionLoss)),
            new DoubleDataFrameColumn("loss", rows.Select(_ => (double?)step.Loss)));
    }
}
