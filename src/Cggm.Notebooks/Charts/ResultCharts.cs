using Cggm.Experiments;
using Plotly.NET;

namespace Cggm.Notebooks.Charts;

/// <summary>Bar charts of a <see cref="ResultTable"/>: one bar group per row (method), one bar per chosen column, ±std error bars.</summary>
public static class ResultCharts
{
    /// <summary>
    /// Bars of the columns headed <paramref name="columns"/> (in that order) for every row that has a value in at least one of
    /// them; a missing value leaves a gap. Values are scaled as the table formats them (percentages as %).
    /// </summary>
    public static GenericChart Bars(ResultTable table, IReadOnlyList<string> columns, string yTitle, string title, string xTitle = "method")
    {
        var indices = columns.Select(h =>
        {
            int i = table.Columns.ToList().FindIndex(c => c.Header == h);
            return i >= 0 ? i : throw new ArgumentException($"The table '{table.Title}' has no column '{h}'; it has: {string.Join(", ", table.Columns.Select(c => c.Header))}.", nameof(columns));
        }).ToArray();
        var rows = table.Rows.Where(r => indices.Any(i => r.Values[i] is not null)).ToArray();
        if (rows.Length == 0) throw new ArgumentException($"No row of '{table.Title}' has a value in {string.Join(", ", columns)}.", nameof(table));
        var series = indices.Select(i => (Name: table.Columns[i].Header,
            Values: (IReadOnlyList<MeanStd>)rows.Select(r => Scaled(r.Values[i], table.Columns[i].Scale)).ToArray())).ToArray();
        return ComparisonCharts.Bars(rows.Select(r => r.Method).ToArray(), series, xTitle, yTitle, title);
    }

    private static MeanStd Scaled(MeanStd? value, double scale) =>
        value is null ? new MeanStd(double.NaN, double.NaN, 0) : new MeanStd(value.Mean * scale, value.Std * scale, value.Count);
}
