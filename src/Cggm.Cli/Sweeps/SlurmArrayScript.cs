using System.Globalization;

namespace Cggm.Cli.Sweeps;

/// <summary>Scheduler settings of a Slurm job array (null = the cluster's default).</summary>
/// <param name="Name">Job name.</param>
/// <param name="WorkingDirectory">The repository root on the cluster's shared filesystem (<c>#SBATCH --chdir</c>).</param>
/// <param name="Gpus">GPUs per task (<c>--gres=gpu:N</c>; 0 asks for none, and the build hints name the CPU build).</param>
/// <param name="Partition">Partition.</param>
/// <param name="Time">Time limit per task, e.g. 04:00:00.</param>
/// <param name="Memory">Memory per task, e.g. 16G.</param>
/// <param name="Parallel">At most this many tasks at once (the array's %N throttle).</param>
internal sealed record SlurmOptions(string Name, string WorkingDirectory, int Gpus, string? Partition, string? Time, string? Memory, int? Parallel);

/// <summary>
/// A Slurm job-array script: task i runs cell i of the sweep (<c>cggm train</c> with that cell's arguments), logs to
/// <c>&lt;sweep&gt;/logs/&lt;job&gt;_&lt;task&gt;.out</c>, and asks for the sweep's <c>--threads</c> CPUs. Submit it with
/// <c>sbatch</c>; resubmit failed cells with <c>sbatch --array=3,7 …</c>.
/// <para>Time limits: <c>--signal=B:USR1@<see cref="GraceSeconds"/></c> has Slurm signal the script before the task's limit;
/// the script then stops the run (SIGTERM: the run keeps the checkpoint of its last finished epoch and releases its folder's
/// lock) and requeues the task (<c>--requeue</c>, <c>scontrol requeue</c>), which resumes from that checkpoint and appends to
/// the same log (<c>--open-mode=append</c>; Slurm truncates it by default). A task whose run wrote no checkpoint since it
/// started is not requeued (one epoch does not fit the limit: requeueing would repeat it forever).
/// A second submission of a running cell is refused by the run folder's lock (exit code 2).</para>
/// </summary>
internal static class SlurmArrayScript
{
    /// <summary>Seconds before the time limit at which the task is told to stop (<c>--signal=B:USR1@…</c>).</summary>
    public const int GraceSeconds = 180;

    /// <summary>The script's text.</summary>
    public static string Write(SweepPlan plan, SlurmOptions options)
    {
        if (plan.Cells.Count == 0) throw new ArgumentException("The sweep has no cells.");
        var array = $"0-{plan.Cells.Count - 1}" + (options.Parallel is { } p ? "%" + p.ToString(CultureInfo.InvariantCulture) : "");
        var lines = new List<string>
        {
            "#!/bin/bash",
            $"# cggm sweep on {plan.Dataset}: {plan.Cells.Count} runs, one 'cggm train' per array task. Written by 'cggm sweep --emit slurm'.",
            $"# Submit (from the directory cggm sweep ran in):  sbatch {ShellWords.Quote(Path.Combine(plan.Runs, "sweep.sbatch"))}",
            $"# When the tasks are done:  ./cggm collect {ShellWords.Quote(plan.Runs)}   (lists unfinished cells to resubmit with sbatch --array=…)",
            $"#SBATCH --job-name={Sbatch(options.Name)}",
            $"#SBATCH --array={array}",
            $"#SBATCH --chdir={Sbatch(options.WorkingDirectory)}",
            $"#SBATCH --output={Sbatch(Path.Combine(plan.Runs, "logs", "%A_%a.out"))}",
            "#SBATCH --ntasks=1",
            $"#SBATCH --cpus-per-task={plan.Threads.ToString(CultureInfo.InvariantCulture)}",
            $"#SBATCH --signal=B:USR1@{GraceSeconds.ToString(CultureInfo.InvariantCulture)}",
            "#SBATCH --requeue",
            "#SBATCH --open-mode=append",   // a requeued task's log follows the earlier attempt's instead of replacing it
        };
        if (options.Gpus > 0) lines.Add($"#SBATCH --gres=gpu:{options.Gpus.ToString(CultureInfo.InvariantCulture)}");
        if (options.Partition is not null) lines.Add($"#SBATCH --partition={Sbatch(options.Partition)}");
        if (options.Time is not null) lines.Add($"#SBATCH --time={Sbatch(options.Time)}");
        if (options.Memory is not null) lines.Add($"#SBATCH --mem={Sbatch(options.Memory)}");
        lines.AddRange(CellScript.Lines(plan, "SLURM_ARRAY_TASK_ID", options.Gpus > 0, Launch));
        return CellScript.Text(lines);
    }

    /// <summary>Starts the run in the background and waits, so that the time-limit signal can stop it and requeue the task.</summary>
    private static readonly string[] Launch =
    [
        "runs=\"\"; previous=\"\"",
        "for a in \"${args[@]}\"; do if [ \"$previous\" = --runs ]; then runs=\"$a\"; fi; previous=\"$a\"; done",
        "started=\"$(mktemp)\"",
        "time_limit() {",
        "  echo \"cggm sweep: cell $cell is near its time limit; stopping its run (it keeps its last finished epoch)\" >&2",
        "  kill -TERM \"$pid\" 2>/dev/null || true",
        "  wait \"$pid\" || true",
        "  if [ -n \"$(find \"$runs\" -name last.ckpt -newer \"$started\" -print -quit 2>/dev/null)\" ]; then",
        "    echo \"cggm sweep: requeueing cell $cell (${SLURM_ARRAY_JOB_ID:-}_${SLURM_ARRAY_TASK_ID:-}); it resumes from its last.ckpt\" >&2",
        "    scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
        "  else",
        "    echo \"cggm sweep: cell $cell finished no epoch within this time limit, so it is not requeued; resubmit it with a longer --time\" >&2",
        "  fi",
        "  rm -f \"$started\"",
        "  exit 0",
        "}",
        "pid=\"\"",
        "trap time_limit USR1",
        "./cggm train \"${args[@]}\" &",
        "pid=$!",
        "status=0",
        "wait \"$pid\" || status=$?",
        "rm -f \"$started\"",
        "exit \"$status\"",
    ];

    /// <summary>An #SBATCH value: sbatch splits these lines on whitespace and does not unquote, so reject spaces.</summary>
    private static string Sbatch(string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace) ? value
            : throw new ArgumentException($"'{value}' cannot go into an #SBATCH line (empty or with spaces); choose a path or name without spaces.");
}
