namespace Cggm.Notebooks.Tests;

/// <summary>One formatted output of a cell.</summary>
public sealed record CellOutput(string MimeType, string Value);

/// <summary>What one executed cell produced.</summary>
public sealed record CellResult(int Index, string Code, string? Error, IReadOnlyList<CellOutput> Outputs, string StdOut, TimeSpan Elapsed)
{
    /// <summary>True when an output is a Plotly chart.</summary>
    public bool HasChart => Outputs.Any(o => o.MimeType == "text/html" && o.Value.Contains("Plotly.newPlot"));

    /// <summary>True when an output is an HTML table (a DataFrame).</summary>
    public bool HasTable => Outputs.Any(o => o.MimeType == "text/html" && o.Value.Contains("<table"));
}
