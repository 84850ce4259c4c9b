using System.Globalization;
using System.Text;
using Cggm.Notebooks.Reports;
using Cggm.Training;
using Microsoft.Data.Analysis;
using Cggm.IO;

namespace Cggm.Notebooks.Reproductions;

/// <summary>Writes a reproduction headless: each table as CSV and Markdown, each chart as a self-contained HTML page, and an index page.</summary>
public static class ReproductionWriter
{
    /// <summary>Writes <paramref name="result"/> into <paramref name="directory"/>; returns the index page's path.</summary>
    public static string Write(ReproductionResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var index = new HtmlReport($"{result.Title} ({result.Profile} profile)");
        foreach (var note in result.Notes) index.Paragraph(note);
        foreach (var t in result.Tables)
        {
            var (csv, md) = t.Results is { } r ? (r.ToCsv(), r.ToMarkdown()) : (Csv(t.Frame), Markdown(t.Frame));
            AtomicFile.WriteAllText(Path.Combine(directory, t.Name + ".csv"), csv);
            AtomicFile.WriteAllText(Path.Combine(directory, t.Name + ".md"), md);
            if (t.Results is { } table) index.Table(table);
        }
        foreach (var c in result.Charts)
        {
            new HtmlReport(c.Name).Chart(c.Chart).Save(Path.Combine(directory, c.Name + ".html"));
            index.Chart(c.Chart);
        }
        var path = Path.Combine(directory, "index.html");
        index.Save(path);
        return path;
    }

    /// <summary>A DataFrame as CSV (invariant culture, empty cells for nulls).</summary>
    public static string Csv(DataFrame frame)
    {
        var sb = new StringBuilder(string.Join(",", frame.Columns.Select(c => Quote(c.Name)))).Append('\n');
        foreach (var row in frame.Rows) sb.Append(string.Join(",", row.Select(v => Quote(Cell(v))))).Append('\n');
        return sb.ToString();
    }

    /// <summary>A DataFrame as a Markdown table.</summary>
    public static string Markdown(DataFrame frame)
    {
        var sb = new StringBuilder("| ").Append(string.Join(" | ", frame.Columns.Select(c => c.Name))).Append(" |\n|");
        sb.Append(string.Concat(frame.Columns.Select(_ => "---|"))).Append('\n');
        foreach (var row in frame.Rows) sb.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
        return sb.ToString();
    }

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
