using System.Text.RegularExpressions;
using Cggm.Cli.Sweeps;

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
        Assert.Equal("B:USR1@180", Directive(script, "signal"));                    // time limit: stop the run and requeue the task
        Assert.Contains("\n#SBATCH --requeue\n", script);
        Assert.Equal("append", Directive(script, "open-mode"));                   // the requeued attempt's log follows the first
        Assert.Contains("-p:TorchBackend=cuda", script);                            // GPU jobs: the CUDA build
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

    [Theory]
    [InlineData("--device", "cpu")]
    [InlineData("--gpus", "0")]
    public void Cpu_runs_ask_for_no_gpu_and_name_the_cpu_build(params string[] option)
    {
        var (code, output) = SweepFolder.CliOutput(["sweep", "--methods", "joint", "--seeds", "0", "--epochs", "1", "--runs", _sweep.Runs, "--emit", "slurm", .. option]);
        Assert.Equal(0, code);
        var script = File.ReadAllText(Path.Combine(_sweep.Runs, "sweep.sbatch"));
        Assert.DoesNotContain("--gres", script);
        Assert.DoesNotContain("gpu", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("TorchBackend", script);
        Assert.Contains("dotnet build -c Release in", script);
        Assert.DoesNotContain("TorchBackend", output);
        var unbuilt = _sweep.RunScript(script, "SLURM_ARRAY_TASK_ID", 0, built: false);
        Assert.Contains("(dotnet build -c Release in ", unbuilt.Error);
    }

    [Fact]
    public void A_cpu_device_with_gpus_is_a_contradiction()
    {
        Assert.Equal(2, SweepFolder.Cli("sweep", "--methods", "joint", "--seeds", "0", "--runs", _sweep.Runs, "--emit", "slurm", "--device", "cpu", "--gpus", "1"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_time_limit_signal_stops_the_run_and_requeues_the_task_only_when_it_made_progress(bool progress)
    {
        var script = Emit("--device", "cpu", "--time", "00:10:00");
        var work = Path.Combine(_sweep.Root, "limit-" + progress);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(work, CellScript.CliDll))!);
        File.WriteAllText(Path.Combine(work, CellScript.CliDll), "");
        string F(string name) => Path.Combine(work, name);
        // ./cggm: records that it started, writes a checkpoint after a second when asked, and records the SIGTERM it gets
        Exe(F("cggm"), """
            #!/usr/bin/env bash
            trap 'echo stopped > "$OUT/term"; exit 143' TERM
            runs=""; prev=""; for a in "$@"; do [ "$prev" = --runs ] && runs="$a"; prev="$a"; done
            if [ "$PROGRESS" = 1 ]; then sleep 1.1; mkdir -p "$runs/synthetic/joint/seed-0"; touch "$runs/synthetic/joint/seed-0/last.ckpt"; fi
            touch "$OUT/started"
            while true; do sleep 0.1; done
            """);
        Exe(F("scontrol"), """
            #!/usr/bin/env bash
            printf '%s ' "$@" > "$OUT/requeued"
            """);
        var start = new System.Diagnostics.ProcessStartInfo("bash") { WorkingDirectory = work, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["SLURM_ARRAY_TASK_ID"] = "0";
        start.Environment["SLURM_ARRAY_JOB_ID"] = "41";
        start.Environment["OUT"] = work;
        start.Environment["PROGRESS"] = progress ? "1" : "0";
        start.Environment["PATH"] = work + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = System.Diagnostics.Process.Start(start)!;
        var error = bash.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(F("started")) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(File.Exists(F("started")), "the cell's run did not start");
        using (var kill = System.Diagnostics.Process.Start("kill", ["-USR1", bash.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        Assert.True(bash.WaitForExit(30_000), "the script did not end after the time-limit signal");
        Assert.Equal(0, bash.ExitCode);
        Assert.True(File.Exists(F("term")), "the run was not stopped with SIGTERM");
        var stderr = await error;
        if (progress)
        {
            Assert.Equal("requeue 41_0 ", File.ReadAllText(F("requeued")));
            Assert.Contains("resumes from its last.ckpt", stderr);
        }
        else
        {
            Assert.False(File.Exists(F("requeued")), "a task that finished no epoch was requeued");
            Assert.Contains("finished no epoch within this time limit", stderr);
        }
    }

    private static void Exe(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _sweep.Dispose();
}
