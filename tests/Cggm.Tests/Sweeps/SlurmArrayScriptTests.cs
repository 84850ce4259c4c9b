using System.Text.RegularExpressions;

namespace Cggm.Tests.Sweeps;

public sealed class SlurmArrayScriptTests : IDisposable
{
    private readonly SweepFolder _sweep = new();

    private string Emit(params string[] extra) =>
        SweepFolder.Cli(["sweep", "--methods", "joint,cggm", "--grid", "rho=1.1,1.5", "--seeds", "0,1", "--epochs", "2",
                         "--runs", _sweep.Runs, "--emit", "slurm", .. extra]) == 0
            ? File.ReadAllText(Path.Combine(_sweep.Runs, "sweep.sbatch"))
            : throw new Xunit.Sdk.XunitException("cggm sweep --emit slurm failed");

    private static string Directive(string script, string name) =>
        Regex.Match(script, $"^#SBATCH --{name}=(.*)$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"no #SBATCH --{name}");

    [Fact]
    public void The_array_covers_the_grid_and_each_task_runs_its_cell_with_arguments_train_accepts()
    {
        var script = Emit("--partition", "gpu", "--time", "01:00:00", "--threads", "2", "--parallel", "3", "--memory", "8G");
        var cells = _sweep.Manifest.Cells;
        Assert.Equal(2 + 2 * 2, cells.Count);                                   // joint × 2 seeds + cggm × 2 ρ × 2 seeds
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.Equal($"0-{cells.Count - 1}%3", Directive(script, "array"));
        Assert.Equal("2", Directive(script, "cpus-per-task"));
        Assert.Equal("gpu:1", Directive(script, "gres"));
        Assert.Equal("gpu", Directive(script, "partition"));
        Assert.Equal("01:00:00", Directive(script, "time"));
        Assert.Equal("8G", Directive(script, "mem"));
        Assert.Equal(Environment.CurrentDirectory, Directive(script, "chdir"));
        Assert.Equal(Path.Combine(_sweep.Runs, "logs", "%A_%a.out"), Directive(script, "output"));
        Assert.True(Directory.Exists(Path.Combine(_sweep.Runs, "logs")));      // sbatch does not create it

        foreach (var cell in cells)
        {
            var (code, args, error) = _sweep.RunScript(script, "SLURM_ARRAY_TASK_ID", cell.Index);
            Assert.True(code == 0, error);
            Assert.Equal(["train", .. cell.Arguments], args);
            args = args[1..];
            Assert.Equal(["--threads", "2"], args.Skip(args.ToList().IndexOf("--threads")).Take(2));
            SweepFolder.AssertTrainAccepts(cell, args);
        }
        Assert.Equal(Path.Combine(_sweep.Runs, "cells", "cggm_rho-1.5_seed-1"), cells[^1].Arguments[cells[^1].Arguments.ToList().IndexOf("--runs") + 1]);
    }

    [Fact]
    public void A_task_outside_the_array_or_before_the_build_stops_with_a_message()
    {
        var script = Emit("--gpus", "0");
        Assert.DoesNotContain("--gres", script);
        var outside = _sweep.RunScript(script, "SLURM_ARRAY_TASK_ID", _sweep.Manifest.Cells.Count);
        Assert.Equal(2, outside.Code);
        Assert.Contains($"no cell {_sweep.Manifest.Cells.Count}", outside.Error);
        var unbuilt = _sweep.RunScript(script, "SLURM_ARRAY_TASK_ID", 0, built: false);
        Assert.Equal(2, unbuilt.Code);
        Assert.Contains("build the kit", unbuilt.Error);
        Assert.Empty(unbuilt.Args);
    }

    [Fact]
    public void A_sweep_folder_grows_by_cells_but_refuses_other_fixed_settings()
    {
        Emit();
        Assert.Equal(6, _sweep.Manifest.Cells.Count);
        Assert.Equal(0, SweepFolder.Cli("sweep", "--methods", "joint,cggm", "--grid", "rho=1.1,1.5", "--seeds", "0-2", "--epochs", "2", "--runs", _sweep.Runs, "--emit", "slurm"));
        Assert.Equal(9, _sweep.Manifest.Cells.Count);
        Assert.Equal(2, SweepFolder.Cli("sweep", "--methods", "joint,cggm", "--grid", "rho=1.1,1.5", "--seeds", "0-2", "--epochs", "3", "--runs", _sweep.Runs, "--emit", "slurm"));
        Assert.Equal(9, _sweep.Manifest.Cells.Count);
    }

    public void Dispose() => _sweep.Dispose();
}
