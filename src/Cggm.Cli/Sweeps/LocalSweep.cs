using System.Diagnostics;
using Cggm.Experiments.Sweeps;
using Spectre.Console;

namespace Cggm.Cli.Sweeps;

/// <summary>
/// Runs a sweep's unfinished cells on this machine, at most <c>parallel</c> at a time, each as its own
/// <c>cggm train</c> process (TorchSharp's generator and thread pool are per process, so parallel runs stay reproducible)
/// with its output in <c>&lt;cell folder&gt;/train.log</c>. Cancelling stops the running processes; each resumes from its
/// last finished epoch when the sweep is run again.
/// </summary>
internal static class LocalSweep
{
    /// <summary>The outcome: cells run now, cells already finished before, and the cells that failed.</summary>
    public sealed record Outcome(int Ran, int AlreadyFinished, IReadOnlyList<SweepCell> Failed);

    /// <summary>Runs the unfinished cells of <paramref name="plan"/>.</summary>
    public static Outcome Run(SweepPlan plan, int parallel, CancellationToken cancellation)
    {
        var todo = plan.Cells.Where(c => !plan.IsFinished(c)).ToArray();
        int done = 0, finishedBefore = plan.Cells.Count - todo.Length;
        var failed = new List<SweepCell>();
        var gate = new object();
        AnsiConsole.MarkupLine($"Sweep [bold]{Markup.Escape(plan.Runs)}[/]: {plan.Cells.Count} cells, {finishedBefore} already finished, " +
                               $"running {todo.Length}, at most {parallel} at a time ({plan.Threads} torch thread{(plan.Threads == 1 ? "" : "s")} each).");
        var (program, prefix) = Launcher();
        Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellation }, async (cell, token) =>
        {
            var clock = Stopwatch.StartNew();
            int code = await RunCell(plan, cell, program, prefix, token);
            lock (gate)
            {
                done++;
                var log = Path.Combine(plan.CellDirectory(cell), "train.log");
                if (code == 0)
                    AnsiConsole.MarkupLine($"[[{done}/{todo.Length}]] [green]done[/]   {Markup.Escape(cell.Description)} ({clock.Elapsed.TotalSeconds:F0} s)");
                else
                {
                    failed.Add(cell);
                    AnsiConsole.MarkupLine($"[[{done}/{todo.Length}]] [red]failed[/] {Markup.Escape(cell.Description)} (exit code {code}); log: {Markup.Escape(log)}");
                    foreach (var line in File.ReadLines(log).TakeLast(5)) AnsiConsole.MarkupLine($"         [grey]{Markup.Escape(line)}[/]");
                }
            }
        }).GetAwaiter().GetResult();
        return new Outcome(todo.Length, finishedBefore, failed.OrderBy(c => c.Index).ToArray());
    }

    private static async Task<int> RunCell(SweepPlan plan, SweepCell cell, string program, IReadOnlyList<string> prefix, CancellationToken token)
    {
        var dir = plan.CellDirectory(cell);
        Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var a in prefix.Append("train").Concat(plan.Arguments(cell))) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        await using var log = new StreamWriter(Path.Combine(dir, "train.log"), append: false) { AutoFlush = true };
        var logGate = new object();
        void Write(string? line)
        {
            if (line is null) return;
            lock (logGate) log.WriteLine(line);
        }
        Write("$ cggm train " + ShellWords.Join(plan.Arguments(cell)));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        process.WaitForExit();   // drains the asynchronous output readers
        return process.ExitCode;
    }

    /// <summary>How to start <c>cggm</c> again: this process's <c>dotnet</c> host and the Cggm.Cli assembly.</summary>
    internal static (string Program, IReadOnlyList<string> Prefix) Launcher()
    {
        var self = Environment.ProcessPath;
        var dotnet = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return (dotnet, [typeof(CliApp).Assembly.Location]);
    }
}
