using Xunit.Abstractions;

namespace Cggm.Notebooks.Tests;

/// <summary>Every notebook in notebooks/ runs top to bottom in the Smoke profile and produces its charts and tables.</summary>
public sealed class NotebookTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Notebooks() => Repository.NotebookNames();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_in_process_and_renders_its_charts_and_tables(string name)
    {
        var previous = Environment.GetEnvironmentVariable("CGGM_PROFILE");
        Environment.SetEnvironmentVariable("CGGM_PROFILE", "smoke");
        try
        {
            var results = await InProcessRunner.RunAsync(Path.Combine(Repository.Notebooks, name));
            Check(name, results, Cggm.Notebooks.Tests.NotebookCells.Read(Path.Combine(Repository.Notebooks, name)).Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CGGM_PROFILE", previous);
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_through_the_pinned_kernel_tool(string name)
    {
        var results = await KernelToolRunner.RunAsync(Path.Combine(Repository.Notebooks, name), new Dictionary<string, string> { ["CGGM_PROFILE"] = "smoke" });
        Check(name, results, NotebookCells.Read(Path.Combine(Repository.Notebooks, name)).Count);
    }

    [Fact]
    public async Task The_in_process_runner_stops_at_the_first_failing_cell()
    {
        var results = await InProcessRunner.RunAsync(Repository.Fixture("fails.ipynb"));
        Assert.Equal(2, results.Count);
        Assert.Contains("before the failure", results[0].StdOut);
        Assert.Contains("deliberate failure", results[1].Error);
    }

    [Fact]
    public async Task The_kernel_tool_runner_stops_at_the_first_failing_cell()
    {
        var results = await KernelToolRunner.RunAsync(Repository.Fixture("fails.ipynb"));
        Assert.Equal(2, results.Count);
        Assert.Null(results[0].Error);
        Assert.Contains("deliberate failure", results[1].Error);
    }

    private void Check(string name, IReadOnlyList<CellResult> results, int cellCount)
    {
        foreach (var r in results)
            output.WriteLine($"{name} cell {r.Index}: {r.Elapsed.TotalSeconds:F1} s, {r.Outputs.Count} outputs{(r.Error is null ? "" : ", ERROR " + r.Error)}");
        var failed = results.FirstOrDefault(r => r.Error is not null);
        Assert.True(failed is null, $"{name}: cell {failed?.Index} failed: {failed?.Error}\n--- cell ---\n{failed?.Code}");
        Assert.Equal(cellCount, results.Count);
        Assert.Contains(results, r => r.HasChart);
        Assert.Contains(results, r => r.HasTable);
        AssertChartsWorkOffline(name, results);
    }

    /// <summary>
    /// Charts need no network: no output names a CDN (for plotly.js or require.js), and the setup cell's output carries the
    /// one inline copy of plotly.js, before the first chart.
    /// </summary>
    private static void AssertChartsWorkOffline(string name, IReadOnlyList<CellResult> results)
    {
        var cdn = results.SelectMany(r => r.CdnReferences.Select(url => $"cell {r.Index}: {url}")).ToArray();
        Assert.True(cdn.Length == 0, $"{name}: outputs reference a CDN, so they are blank offline:\n{string.Join("\n", cdn)}");
        Assert.Equal(1, results.Sum(r => r.InlinePlotlyJsCopies));
        var inline = results.First(r => r.InlinePlotlyJsCopies > 0).Index;
        var firstChart = results.First(r => r.HasChart).Index;
        Assert.True(inline < firstChart, $"{name}: plotly.js is inlined by cell {inline}, after the first chart (cell {firstChart}).");
    }
}
