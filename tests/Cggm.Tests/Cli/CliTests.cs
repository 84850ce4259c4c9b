using Cggm.Cli;

namespace Cggm.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-cli-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [InlineData("train", "--bogus")]
    [InlineData("train", "--method", "no-such-method")]
    [InlineData("train", "--dataset", "no-such-dataset")]
    [InlineData("train", "--seeds", "a,b")]
    [InlineData("train", "--epochs", "0")]
    [InlineData("quickstart", "--methods", "joint,nope")]
    [InlineData("no-such-command")]
    public void Bad_input_is_an_error_with_exit_code_2(params string[] args) =>
        Assert.Equal(2, CliApp.Create().Run(args));

    [Fact]
    public void Quickstart_writes_its_tables_and_a_self_contained_report()
    {
        var outDir = Path.Combine(_dir, "out");
        int code = CliApp.Create().Run(["quickstart", "--epochs", "1", "--seeds", "0", "--out", outDir, "--runs", Path.Combine(_dir, "runs")]);
        Assert.Equal(0, code);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("plotly.js v2", html);                      // plotly.js is inlined: the page opens offline
        Assert.DoesNotContain("src=\"https://cdn.plot.ly", html);
        Assert.Contains("Balancing coefficients", html);
        Assert.Contains("| cggm-reference |", File.ReadAllText(Path.Combine(outDir, "results.md")));
        Assert.StartsWith("method,acc_mean", File.ReadAllText(Path.Combine(outDir, "results.csv")));
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "cggm", "seed-0", "history.csv")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
