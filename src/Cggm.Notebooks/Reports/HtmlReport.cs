using System.Net;
using System.Text;
using Cggm.Experiments;
using Cggm.Training;
using Cggm.Notebooks.Display;
using Plotly.NET;
using Cggm.IO;

namespace Cggm.Notebooks.Reports;

/// <summary>
/// A self-contained HTML page of text, result tables and Plotly charts: plotly.js (the copy embedded in Plotly.NET) is
/// inlined once, so the page opens offline.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Adds a results table (with a "paper" column after each metric the paper reports for any row).</summary>
    public HtmlReport Table(ResultTable table)
    {
        _body.Append("<table><caption>").Append(WebUtility.HtmlEncode(table.Title)).Append("</caption>\n<tr><th>Method</th>");
        for (int c = 0; c < table.Columns.Count; c++)
        {
            _body.Append("<th>").Append(WebUtility.HtmlEncode(table.Columns[c].Header)).Append("</th>");
            if (table.HasPaper(c)) _body.Append("<th>").Append(WebUtility.HtmlEncode(table.Columns[c].Header + " (paper)")).Append("</th>");
        }
        _body.Append("</tr>\n");
        foreach (var r in table.Rows)
        {
            _body.Append("<tr><td>").Append(WebUtility.HtmlEncode(r.Method)).Append("</td>");
            for (int c = 0; c < table.Columns.Count; c++)
            {
                _body.Append("<td>").Append(WebUtility.HtmlEncode(r.Values[c]?.Format(table.Columns[c].Decimals, table.Columns[c].Scale) ?? "")).Append("</td>");
                if (table.HasPaper(c))
                    _body.Append("<td>").Append(r.Paper?[c] is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "").Append("</td>");
            }
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    /// <summary>Adds a chart.</summary>
    public HtmlReport Chart(GenericChart chart)
    {
        _body.Append("<div class=\"chart\">").Append(GenericChart.toChartHTML(chart)).Append("</div>\n");
        return this;
    }

    /// <summary>The whole page.</summary>
    public string ToHtml() =>
        $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; line-height: 1.45; }
        table { border-collapse: collapse; margin: 1em 0; } caption { text-align: left; font-weight: 600; padding-bottom: .4em; }
        th, td { border: 1px solid #ccc; padding: .3em .7em; text-align: right; } th:first-child, td:first-child { text-align: left; }
        .chart { margin: 1.5em 0; }
        </style>
        <script>{{OfflineCharts.PlotlyJs}}</script></head>
        <body><h1>{{WebUtility.HtmlEncode(title)}}</h1>
        {{_body}}
        </body></html>
        """;

    /// <summary>Writes the page to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());
}
