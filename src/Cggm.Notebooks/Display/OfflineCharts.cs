using System.IO;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace Cggm.Notebooks.Display;

/// <summary>
/// Notebook charts that need no network. Plotly.NET.Interactive's formatter makes every chart load plotly.js (and, where the
/// page has none, require.js) from public CDNs, so on an offline machine every chart cell stays blank. Instead, the setup
/// cell's output carries one inline copy of the plotly.js that Plotly.NET embeds (<see cref="ScriptTag"/>), and every chart is
/// formatted without any script reference (<see cref="ChartHtml"/>), drawing with that copy. Both work in the .NET Interactive
/// kernel (VS Code) and in Jupyter, including a notebook exported to HTML.
/// </summary>
public static partial class OfflineCharts
{
    /// <summary>The plotly.js version Plotly.NET embeds (and its charts are written for).</summary>
    public static string PlotlyJsVersion => Globals.PLOTLYJS_VERSION;

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that defines <c>window.Plotly</c> from the inline copy, unless the page already has it.
    /// AMD and CommonJS names are hidden from plotly.js's loader while it runs, so it sets the global even on a page that
    /// has require.js (classic Jupyter).
    /// </summary>
    public static string ScriptTag() => ScriptTagText.Value;

    /// <summary>
    /// The chart as an HTML fragment (a <c>div</c> and a script) that references no URL and draws with the page's
    /// <c>window.Plotly</c>; if plotly.js is not there yet it waits for it, and after a minute says to run the setup cell.
    /// </summary>
    public static string ChartHtml(GenericChart chart)
    {
        var local = Chart.withDisplayOptionsStyle(null, null, null, null, null, null,
            FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference)).Invoke(chart);
        var html = GenericChart.toChartHTML(local);
        // Plotly.NET's NoReference template ends with "renderPlotly_<id>();": call it once window.Plotly exists.
        return RenderCall().Replace(html, m =>
            $"(function (render, id) {{ var tries = 0; (function attempt() {{ if (window.Plotly) {{ render(); return; }} " +
            $"if (++tries > 600) {{ var div = document.getElementById(id); if (div) div.textContent = 'plotly.js is not loaded: run the notebook\\'s setup cell (NotebookEnvironment.Setup()) and show its output.'; return; }} " +
            $"setTimeout(attempt, 100); }})(); }})(renderPlotly_{m.Groups[1].Value}, '{ChartId(html)}');", 1);
    }

    /// <summary>
    /// Registers <see cref="ChartHtml"/> as the text/html formatter of Plotly.NET charts in the running .NET Interactive kernel
    /// (found by reflection: this library does not reference .NET Interactive). The formatter is registered for the chart
    /// classes themselves (<c>GenericChart.Chart</c>, <c>GenericChart.MultiChart</c>), which the kernel prefers over
    /// Plotly.NET.Interactive's formatter for their base class whatever the order of registration. Returns false outside a
    /// kernel.
    /// </summary>
    public static bool UseInKernel()
    {
        var formatter = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting")
            .Select(a => a.GetType("Microsoft.DotNet.Interactive.Formatting.Formatter", throwOnError: false))
            .FirstOrDefault(t => t is not null);
        var register = formatter?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        if (register is null) return false;
        Action<object, TextWriter> write = (chart, writer) => writer.Write(ChartHtml((GenericChart)chart));
        foreach (var type in new[] { typeof(GenericChart.Chart), typeof(GenericChart.MultiChart) })
            register.Invoke(null, [type, write, "text/html"]);
        return true;
    }

    private static string ChartId(string html) => ChartDiv().Match(html) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex(@"renderPlotly_([0-9a-fA-F]+)\(\);")]
    private static partial Regex RenderCall();

    [GeneratedRegex(@"<div id=""([^""]+)""")]
    private static partial Regex ChartDiv();

    /// <summary>The plotly.js that Plotly.NET embeds, escaped for an inline <c>&lt;script&gt;</c> element.</summary>
    internal static string PlotlyJs => PlotlyJsText.Value;

    private static readonly Lazy<string> PlotlyJsText = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    });

    private static readonly Lazy<string> ScriptTagText = new(() =>
        "<script type=\"text/javascript\">if (!window.Plotly) (function (define, module, exports) {\n" + PlotlyJs + "\n}).call(window);</script>");
}
