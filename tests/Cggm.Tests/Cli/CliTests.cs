using Cggm.Cli;
using Cggm.Experiments;

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
    [InlineData("reproduce", "av-digits", "--dataset", "iemocap", "--profile", "smoke")]          // runs on its own dataset
    [InlineData("reproduce", "paper-vs-reference", "--dataset", "nope", "--profile", "smoke")]
    [InlineData("no-such-command")]
    public void Bad_input_is_an_error_with_exit_code_2(params string[] args) =>
        Assert.Equal(2, CliApp.Create().Run(args));

    [Theory]
    [InlineData("train")]
    [InlineData("quickstart")]
    [InlineData("reproduce")]
    [InlineData("compare")]
    [InlineData("sweep")]
    [InlineData("collect")]
    [InlineData("bench")]
    [InlineData("methods")]
    [InlineData("data", "prepare")]
    [InlineData("data", "inspect")]
    [InlineData("checkpoint")]
    public void Every_command_prints_its_help(params string[] command) =>
        Assert.Equal(0, CliApp.Create().Run([.. command, "--help"]));   // option descriptions are Spectre markup: a bare [x] breaks the page

    [Fact]
    public void A_table_with_confidence_intervals_prints_its_brackets_as_text()
    {
        var gain = MeanStd.Difference(new Dictionary<int, double> { [0] = 0.9, [1] = 0.8, [2] = 0.85 }, new Dictionary<int, double> { [0] = 0.8, [1] = 0.8, [2] = 0.8 });
        var table = new ResultTable("gains [95% CI]", [new ResultColumn("vs joint (pp) [95% CI]")], [new ResultRow("cggm [paper]", [gain])]);
        var output = new StringWriter();
        var previous = Spectre.Console.AnsiConsole.Console;
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        try
        {
            RecipeConsole.Print(table);   // "[−5.39, +15.39]" is not Spectre markup: it once stopped a finished 27-minute run before it wrote its tables
        }
        finally
        {
            Spectre.Console.AnsiConsole.Console = previous;
        }
        Assert.Contains("cggm [paper]", output.ToString());
        Assert.Contains("+5.00 [", output.ToString());
    }

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

    [Fact]
    public void Bench_json_holds_only_the_report_on_stdout_and_reports_progress_on_stderr()
    {
        var (code, stdout, stderr) = Faults.CliProcess.Capture(["bench", "--models", "mosi", "--methods", "joint,cggm", "--steps", "1", "--warmup", "0",
                                                               "--threads", "1", "--overlap-classifiers", "--rounds", "2", "--json"]);
        Assert.True(code == 0, stderr);
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        var root = report.RootElement;
        Assert.Equal(["joint", "cggm"], root.GetProperty("measurements").EnumerateArray().Select(m => m.GetProperty("method").GetString()));
        Assert.True(root.GetProperty("settings").GetProperty("overlapClassifiers").GetBoolean());
        Assert.True(root.GetProperty("ratios")[0].GetProperty("cggmOverJoint").GetDouble() > 0);
        Assert.Equal(2, root.GetProperty("settings").GetProperty("rounds").GetInt32());
        // Round 2 runs the methods in the opposite order; the combined measurements keep round 1's.
        Assert.Equal(["cggm", "joint"], root.GetProperty("rounds")[1].EnumerateArray().Select(m => m.GetProperty("method").GetString()));
        Assert.Equal(2, root.GetProperty("ratios")[0].GetProperty("cggmOverJointRange").GetArrayLength());
        Assert.Contains("round 1/2 mosi joint: median", stderr);
        Assert.Contains("round 2/2 mosi cggm: median", stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
