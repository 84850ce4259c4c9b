using System.Globalization;
using System.Text.Json.Nodes;
using Cggm.Cli.Commands;

namespace Cggm.Tests.Sweeps;

public sealed class LocalSweepTests : IDisposable
{
    private readonly SweepFolder _sweep = new();

    [Fact]
    public void Cells_run_as_parallel_train_processes_and_collect_aggregates_them()
    {
        string[] args = ["sweep", "--methods", "cggm", "--grid", "lambda=0,0.3", "--seeds", "0,1", "--epochs", "1", "--runs", _sweep.Runs, "--parallel", "2"];
        Assert.Equal(0, SweepFolder.Cli(args));
        var cells = _sweep.Manifest.Cells;
        Assert.Equal(4, cells.Count);
        var accuracy = new Dictionary<string, List<double>>();
        foreach (var cell in cells)
        {
            var cellDir = Path.Combine(_sweep.Runs, "cells", cell.Id);
            Assert.Contains("$ cggm train", File.ReadAllText(Path.Combine(cellDir, "train.log")));
            var runDir = Path.Combine(cellDir, "synthetic", "cggm", $"seed-{cell.Seed}");
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "config.json")))!;
            Assert.Equal(double.Parse(cell.Values["lambda"], CultureInfo.InvariantCulture), config["method"]!["options"]!["lambda"]!.GetValue<double>());
            Assert.Equal(1, config["trainer"]!["epochs"]!.GetValue<int>());
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "metrics.json")))!;
            accuracy.TryAdd(cell.Values["lambda"], []);
            accuracy[cell.Values["lambda"]].Add(metrics["test"]!["metrics"]!["accuracy"]!.GetValue<double>());
        }
        Assert.Empty(CollectCommand.Unfinished(_sweep.Runs, _sweep.Manifest));

        // the table the sweep wrote: one row per λ, mean ± std of the runs' own test accuracies
        var csv = File.ReadAllLines(Path.Combine(_sweep.Runs, "results-synthetic.csv"));
        Assert.StartsWith("method,acc_mean,acc_std,acc_n", csv[0]);
        Assert.Equal(3, csv.Length);
        foreach (var (lambda, line) in new[] { ("0", csv[1]), ("0.3", csv[2]) })
        {
            var cols = line.Split(',');
            Assert.Equal($"cggm (lambda={lambda})", cols[0]);
            var expected = Cggm.Experiments.MeanStd.Of(accuracy[lambda]);
            Assert.Equal(expected.Mean, double.Parse(cols[1], CultureInfo.InvariantCulture), 12);
            Assert.Equal(expected.Std, double.Parse(cols[2], CultureInfo.InvariantCulture), 12);
            Assert.Equal("2", cols[3]);
        }

        // a second run of the same command finds every cell finished and trains nothing
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(_sweep.Runs, "cells", cells[0].Id, "synthetic", "cggm", "seed-0", "metrics.json"));
        Assert.Equal(0, SweepFolder.Cli(args));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(_sweep.Runs, "cells", cells[0].Id, "synthetic", "cggm", "seed-0", "metrics.json")));
    }

    [Fact]
    public void A_failing_cell_fails_the_sweep_keeps_its_log_and_is_listed_as_unfinished()
    {
        var emptyRoot = Path.Combine(_sweep.Root, "no-data");
        Directory.CreateDirectory(emptyRoot);
        Assert.Equal(1, SweepFolder.Cli("sweep", "--dataset", "mosi", "--methods", "joint", "--seeds", "0", "--runs", _sweep.Runs, "--data-root", emptyRoot));
        var cell = Assert.Single(_sweep.Manifest.Cells);
        var log = File.ReadAllText(Path.Combine(_sweep.Runs, "cells", cell.Id, "train.log"));
        Assert.Contains("data:", log);                                         // the train process's own error message
        Assert.Equal([0], CollectCommand.Unfinished(_sweep.Runs, _sweep.Manifest).Select(c => c.Index));
    }

    public void Dispose() => _sweep.Dispose();
}
