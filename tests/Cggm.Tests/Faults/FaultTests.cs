using System.Text.Json;

namespace Cggm.Tests.Faults;

/// <summary>
/// The fault suite: killed processes, interrupted checkpoint writes and concurrent runs, through the real command line in
/// separate processes.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-faults-" + Guid.NewGuid().ToString("N")[..8]);

    private static string[] Train(string runs, int epochs = 4) =>
        ["train", "--dataset", "synthetic", "--method", "cggm-reference", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seeds", "3", "--runs", runs, "--device", "cpu"];

    private static string RunDir(string runs) => Path.Combine(runs, "synthetic", "cggm-reference", "seed-3");

    private static JsonElement Metrics(string runs) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RunDir(runs), "metrics.json"))).RootElement;

    [Fact]
    public void A_kill_during_a_checkpoint_write_leaves_the_previous_checkpoint_usable_and_the_run_resumes_to_the_same_result()
    {
        var reference = Path.Combine(_dir, "uninterrupted");
        Assert.Equal(0, CliProcess.Run(Train(reference)));

        var runs = Path.Combine(_dir, "killed");
        var dir = RunDir(runs);
        using (var p = CliProcess.Start(Train(runs), new Dictionary<string, string> { ["CGGM_FAULT_WRITE_DELAY_MS"] = "1500" }))
        {
            // wait until epoch 1's last.ckpt exists and epoch 2's is being written (its temporary file is on disk), then kill -9
            var deadline = DateTime.UtcNow.AddMinutes(3);
            bool sawFirst = false;
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                sawFirst |= File.Exists(Path.Combine(dir, "last.ckpt"));
                if (sawFirst && Directory.Exists(dir) && Directory.GetFiles(dir, "last.ckpt.*.tmp").Length > 0) break;
                Thread.Sleep(20);
            }
            Assert.False(p.HasExited, "the run finished before it could be killed during a checkpoint write");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.NotEmpty(Directory.GetFiles(dir, "*.tmp"));            // the interrupted write is left aside…
        Assert.True(File.Exists(Path.Combine(dir, "last.ckpt")));      // …and the previous checkpoint is still there

        Assert.Equal(0, CliProcess.Run(Train(runs)));                  // resumes from it
        var a = Metrics(reference);
        var b = Metrics(runs);
        Assert.Equal(a.GetProperty("bestEpoch").GetInt32(), b.GetProperty("bestEpoch").GetInt32());
        Assert.Equal(a.GetProperty("test").GetProperty("metrics").GetProperty("accuracy").GetDouble(),
                     b.GetProperty("test").GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.Equal(File.ReadLines(Path.Combine(RunDir(reference), "history.csv")), File.ReadLines(Path.Combine(dir, "history.csv")));
    }

    [Fact]
    public void Two_runs_in_different_folders_at_once_do_not_interfere()
    {
        var reference = Path.Combine(_dir, "alone");
        Assert.Equal(0, CliProcess.Run(Train(reference)));
        var first = Path.Combine(_dir, "first");
        var second = Path.Combine(_dir, "second");
        using var p1 = CliProcess.Start(Train(first));
        using var p2 = CliProcess.Start(Train(second));
        Assert.True(p1.WaitForExit(TimeSpan.FromMinutes(5)) && p2.WaitForExit(TimeSpan.FromMinutes(5)));
        Assert.Equal(0, p1.ExitCode);
        Assert.Equal(0, p2.ExitCode);
        var expected = File.ReadAllLines(Path.Combine(RunDir(reference), "history.csv"));
        Assert.Equal(expected, File.ReadAllLines(Path.Combine(RunDir(first), "history.csv")));
        Assert.Equal(expected, File.ReadAllLines(Path.Combine(RunDir(second), "history.csv")));
    }

    [Fact]
    public void A_second_run_into_a_folder_in_use_exits_2_and_the_lock_of_a_killed_run_does_not_block_the_next()
    {
        var runs = Path.Combine(_dir, "locked");
        var dir = RunDir(runs);
        using (var first = CliProcess.Start(Train(runs), new Dictionary<string, string> { ["CGGM_FAULT_WRITE_DELAY_MS"] = "1500" }))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !first.HasExited && !File.Exists(Path.Combine(dir, "last.ckpt"))) Thread.Sleep(20);
            Assert.False(first.HasExited, "the first run finished before a second one could be started");
            // a resubmitted sweep cell, a second terminal, or --fresh: refused while the first one trains
            foreach (var second in new[] { Train(runs), [.. Train(runs), "--fresh"] })
            {
                var (code, _, stderr) = CliProcess.Capture(second);
                Assert.True(code == 2, stderr);
                Assert.Contains("run folder:", stderr);
                Assert.Contains($"{dir} is in use: another training process holds its lock (process {first.Id} on", stderr);
                Assert.DoesNotContain("   at ", stderr);
            }
            first.Kill(entireProcessTree: true);   // kill -9: the lock file stays behind, the kernel drops the lock
            first.WaitForExit();
        }
        Assert.True(File.Exists(Path.Combine(dir, ".lock")));
        var (again, stdout, error) = CliProcess.Capture(Train(runs));
        Assert.True(again == 0, error);
        Assert.Matches(@"cggm-reference seed 3: resumed from its last\.ckpt after epoch [1-3] of 4; continuing with epoch [2-4]\.", Flat(stdout));
        Assert.True(File.Exists(Path.Combine(dir, "metrics.json")));
    }

    [Fact]
    public void A_rerun_with_other_settings_names_them_and_collect_refuses_a_folder_whose_config_disagrees_with_its_results()
    {
        var runs = Path.Combine(_dir, "changed");
        Assert.Equal(0, CliProcess.Run(Train(runs, epochs: 1)));
        var (code, _, stderr) = CliProcess.Capture(Train(runs, epochs: 2));
        Assert.True(code == 2, stderr);
        Assert.Contains("differs in trainer.epochs: 1 → 2", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal(0, CliProcess.Run(["collect", runs]));

        // files of two runs in one folder (copied together, or written before the lock existed): config 2 epochs, results 1
        var config = Path.Combine(RunDir(runs), "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"epochs\": 1", "\"epochs\": 2"));
        var (refused, stdout, _) = CliProcess.Capture(["collect", runs]);
        Assert.Equal(2, refused);
        Assert.Contains("config.json asks for 2 epochs but epochs.csv has 1", Flat(stdout));
    }

    [Fact]
    public void The_last_checkpoint_holds_the_weights_and_the_optimizer_state_and_no_copy_of_the_best()
    {
        var runs = Path.Combine(_dir, "sizes");
        Assert.Equal(0, CliProcess.Run(Train(runs, epochs: 2)));
        long best = new FileInfo(Path.Combine(RunDir(runs), "best.ckpt")).Length;   // model and classifier weights
        using var last = new BinaryReader(File.OpenRead(Path.Combine(RunDir(runs), "last.ckpt")));
        Assert.Equal("CGGM-CHECKPOINT/2", last.ReadString());
        last.ReadString();                                                               // the header: run state and history
        long state = last.BaseStream.Length - last.BaseStream.Position;
        // Adam (model and classifiers): the weights and two moments per weight, three times best.ckpt, plus the schedule,
        // the method's few numbers and the random generator's state (5 KB); format 1 added a fourth copy (the best weights)
        Assert.InRange(state, 3 * best, 3 * best + 8_192);
    }

    /// <summary>Console output with Spectre's line wrapping (80 columns when redirected) undone.</summary>
    private static string Flat(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    [Theory]
    [InlineData("train", "--dataset", "mosi", "--root", "{dir}/empty-mosi")]
    [InlineData("data", "inspect", "iemocap", "--root", "{dir}/empty-iemocap")]
    public void Missing_data_is_an_error_with_exit_code_2(params string[] args)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty-mosi"));
        Directory.CreateDirectory(Path.Combine(_dir, "empty-iemocap"));
        Assert.Equal(2, CliProcess.Run(args.Select(a => a.Replace("{dir}", _dir))));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
