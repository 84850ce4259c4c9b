using System.Globalization;
using System.Text;

namespace Cggm.Experiments;

/// <summary>One column of a <see cref="ResultTable"/>.</summary>
/// <param name="Header">Column title, e.g. "Acc (%)".</param>
/// <param name="Scale">Factor applied when formatting (100 for percentages).</param>
/// <param name="Decimals">Decimals shown.</param>
public sealed record ResultColumn(string Header, double Scale = 100, int Decimals = 2);

/// <summary>One row: a method, its values per column (mean ± std over seeds), and the paper's value per column where known.</summary>
public sealed record ResultRow(string Method, IReadOnlyList<MeanStd?> Values, IReadOnlyList<double?>? Paper = null);

/// <summary>
/// A results table: rows of methods, columns of metrics, ours as mean ± std over seeds and, where the paper reports one,
/// the paper's value beside it. Renders to Markdown and CSV.
/// </summary>
public sealed record ResultTable(string Title, IReadOnlyList<ResultColumn> Columns, IReadOnlyList<ResultRow> Rows)
{
    /// <summary>True when the paper reports a value for column <paramref name="column"/> in any row.</summary>
    public bool HasPaper(int column) => Rows.Any(r => r.Paper is { } p && column < p.Count && p[column] is not null);

    /// <summary>A Markdown table (with a "paper" column after each metric the paper reports for any row).</summary>
    public string ToMarkdown()
    {
        var header = new List<string> { "Method" };
        for (int c = 0; c < Columns.Count; c++) { header.Add(Columns[c].Header); if (HasPaper(c)) header.Add(Columns[c].Header + " (paper)"); }
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|");
        sb.Append(string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|"))).Append('\n');
        foreach (var r in Rows)
        {
            var cells = new List<string> { r.Method };
            for (int c = 0; c < Columns.Count; c++)
            {
                cells.Add(r.Values[c]?.Format(Columns[c].Decimals, Columns[c].Scale) ?? "");
                if (HasPaper(c)) cells.Add(r.Paper?[c] is { } p ? p.ToString(CultureInfo.InvariantCulture) : "");
            }
            sb.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
        }
        return sb.ToString();
    }

    /// <summary>CSV with mean, std and n columns per metric (unscaled values) and a paper column for each metric the paper reports.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("method");
        for (int c = 0; c < Columns.Count; c++)
        {
            var key = Key(Columns[c].Header);
            sb.Append($",{key}_mean,{key}_std,{key}_n");
            if (HasPaper(c)) sb.Append($",{key}_paper");
        }
        sb.Append('\n');
        foreach (var r in Rows)
        {
            sb.Append(Quote(r.Method));
            for (int c = 0; c < Columns.Count; c++)
            {
                var v = r.Values[c];
                sb.Append(',').Append(v is null ? "" : v.Mean.ToString("R", CultureInfo.InvariantCulture))
                  .Append(',').Append(v is null || double.IsNaN(v.Std) ? "" : v.Std.ToString("R", CultureInfo.InvariantCulture))
                  .Append(',').Append(v?.Count.ToString(CultureInfo.InvariantCulture) ?? "");
                if (HasPaper(c)) sb.Append(',').Append(r.Paper?[c] is { } p ? p.ToString("R", CultureInfo.InvariantCulture) : "");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Key(string header) =>
        new string(header.ToLowerInvariant().Select(ch => char.IsLetterOrDigit(ch) ? ch : '_').ToArray()).Trim('_').Replace("__", "_");

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
