using System.Text.RegularExpressions;

namespace Cggm.Notebooks.Tests;

/// <summary>One formatted output of a cell.</summary>
public sealed record CellOutput(string MimeType, string Value);

/// <summary>What one executed cell produced.</summary>
public sealed record CellResult(int Index, string Code, string? Error, IReadOnlyList<CellOutput> Outputs, string StdOut, TimeSpan Elapsed)
{
    /// <summary>True when an output is a Plotly chart (Plotly.NET's chart script; the inline plotly.js alone is not one).</summary>
    public bool HasChart => Outputs.Any(o => o.MimeType == "text/html" && o.Value.Contains("Plotly.newPlot") && o.Value.Contains("renderPlotly_"));

    /// <summary>The number of inline copies of plotly.js among the outputs (the library's banner comment marks each).</summary>
    public int InlinePlotlyJsCopies => Outputs.Count(o => o.MimeType == "text/html" && o.Value.Contains("* plotly.js v") && o.Value.Contains("window.Plotly"));

    /// <summary>
    /// The public CDN addresses the outputs mention (a chart that loads plotly.js or require.js from one is blank offline),
    /// outside the inline plotly.js itself (whose defaults name a CDN for geo maps' topojson, which no chart here uses).
    /// </summary>
    public IEnumerable<string> CdnReferences => Outputs.Where(o => o.MimeType == "text/html")
        .Select(o => Regex.Replace(o.Value, @"<script[^>]*>if \(!window\.Plotly\).*?\}\)\.call\(window\);</script>", "", RegexOptions.Singleline))
        .SelectMany(html => Regex.Matches(html, @"https?://[^""'\s]*(?:cdn|unpkg)[^""'\s]*").Select(m => m.Value)).Distinct();

    /// <summary>True when an output is an HTML table (a DataFrame).</summary>
    public bool HasTable => Outputs.Any(o => o.MimeType == "text/html" && o.Value.Contains("<table"));
}
