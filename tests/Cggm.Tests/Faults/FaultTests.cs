using System.Text.Json;

namespace Cggm.Tests.Faults;

/// <summary>
/// The fault suite: killed processes, interrupted checkpoint writes and concurrent runs, through the real command line in
/// separate processes.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-faults-" + Guid.NewGuid().ToString("N")[..8]);

    private static string[] Train(string runs) =>
        ["train", "--dataset", "synthetic", "--method", "cggm-reference", "--epochs", "4", "--seeds", "3", "--runs", runs, "--device", "cpu"];

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
