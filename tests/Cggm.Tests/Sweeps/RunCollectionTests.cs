using System.Globalization;
using Cggm.Experiments.Sweeps;

namespace Cggm.Tests.Sweeps;

public sealed class RunCollectionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cggm-collect-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Writes a run folder the way the trainer does (only the fields collect reads, plus seed and device).</summary>
    private void Run(string folder, string method, string options, int seed, double accuracy, string device = "null")
    {
        var dir = Path.Combine(_root, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            { "format": 2, "dataset": "synthetic", "task": "classification",
              "method": { "name": "{{method}}", "options": {{options}} },
              "trainer": { "epochs": 3, "seed": {{seed}}, "device": {{device}}, "runDirectory": null, "resume": false } }
            """);
        var acc = accuracy.ToString("R", CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(dir, "metrics.json"), $$"""
            { "method": "{{method}}", "seed": {{seed}}, "bestEpoch": 2, "seconds": 1.5, "modalities": ["strong", "weak"],
              "valid": { "loss": 1.0, "metrics": { "accuracy": 0.5, "f1_macro": 0.5 }, "perModality": [] },
              "test": { "loss": 1.0, "metrics": { "accuracy": {{acc}}, "f1_macro": 0.25 },
                        "perModality": [ { "accuracy": 0.9 }, { "accuracy": 0.1 } ] } }
            """);
    }

    [Fact]
    public void Runs_are_grouped_by_their_config_and_aggregated_over_seeds()
    {
        Run("a/cggm/seed-0", "cggm", """{ "rho": 1.1, "lambda": 0.2 }""", 0, 0.5);
        Run("b/cggm/seed-1", "cggm", """{ "rho": 1.1, "lambda": 0.2 }""", 1, 0.7, device: "\"cuda\"");   // another device: same configuration
        Run("c/cggm/seed-0", "cggm", """{ "rho": 1.5, "lambda": 0.2 }""", 0, 0.6);
        Run("d/joint/seed-0", "joint", "null", 0, 0.4);
        Directory.CreateDirectory(Path.Combine(_root, "e"));
        File.WriteAllText(Path.Combine(_root, "e", "metrics.json"), "{}");                                // no config.json: not a run

        var runs = RunCollection.Find(_root);
        Assert.Equal(4, runs.Count);
        var (dataset, table) = Assert.Single(RunCollection.Tables(runs));
        Assert.Equal("synthetic", dataset);
        Assert.Equal(["joint", "cggm (rho=1.1)", "cggm (rho=1.5)"], table.Rows.Select(r => r.Method));   // methods as 'cggm methods' lists them
        Assert.Equal(["Acc (%)", "Macro-F1 (%)", "f(strong) Acc (%)", "f(weak) Acc (%)"], table.Columns.Select(c => c.Header));
        var rho11 = table.Rows[1].Values[0]!;
        Assert.Equal(2, rho11.Count);
        Assert.Equal(0.6, rho11.Mean, 12);
        Assert.Equal(Math.Sqrt(0.02), rho11.Std, 12);                      // sample std of 0.5 and 0.7
        Assert.Equal(1, table.Rows[2].Values[0]!.Count);
        Assert.Equal(0.9, table.Rows[0].Values[2]!.Mean, 12);
        Assert.Contains("3 configurations, 4 runs", table.Title);
    }

    [Fact]
    public void Labels_name_every_setting_that_differs_and_only_those()
    {
        Run("x1", "cggm", """{ "rho": 1.1, "lambda": 0.1 }""", 0, 0.5);
        Run("x2", "cggm", """{ "rho": 1.1, "lambda": 0.3 }""", 0, 0.5);
        Run("x3", "cggm", """{ "rho": null, "lambda": 0.1 }""", 0, 0.5);
        var (_, table) = Assert.Single(RunCollection.Tables(RunCollection.Find(_root)));
        // settings in name order; configurations ordered by them, numbers numerically
        Assert.Equal(["cggm (lambda=0.1, rho=1.1)", "cggm (lambda=0.1, rho=null)", "cggm (lambda=0.3, rho=1.1)"], table.Rows.Select(r => r.Method));
    }

    [Fact]
    public void A_missing_folder_is_an_error_naming_it()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => RunCollection.Find(Path.Combine(_root, "nope")));
        Assert.Contains("nope", e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
