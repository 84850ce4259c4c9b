using System.Globalization;

namespace Cggm.Cli.Sweeps;

/// <summary>Scheduler settings of a Slurm job array (null = the cluster's default).</summary>
/// <param name="Name">Job name.</param>
/// <param name="WorkingDirectory">The repository root on the cluster's shared filesystem (<c>#SBATCH --chdir</c>).</param>
/// <param name="Gpus">GPUs per task (<c>--gres=gpu:N</c>; 0 asks for none).</param>
/// <param name="Partition">Partition.</param>
/// <param name="Time">Time limit per task, e.g. 04:00:00.</param>
/// <param name="Memory">Memory per task, e.g. 16G.</param>
/// <param name="Parallel">At most this many tasks at once (the array's %N throttle).</param>
internal sealed record SlurmOptions(string Name, string WorkingDirectory, int Gpus, string? Partition, string? Time, string? Memory, int? Parallel);

/// <summary>
/// A Slurm job-array script: task i runs cell i of the sweep (<c>cggm train</c> with that cell's arguments), logs to
/// <c>&lt;sweep&gt;/logs/&lt;job&gt;_&lt;task&gt;.out</c>, and asks for the sweep's <c>--threads</c> CPUs. Submit it with
/// <c>sbatch</c>; resubmit failed cells with <c>sbatch --array=3,7 …</c>.
/// </summary>
internal static class SlurmArrayScript
{
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
        };
        if (options.Gpus > 0) lines.Add($"#SBATCH --gres=gpu:{options.Gpus.ToString(CultureInfo.InvariantCulture)}");
        if (options.Partition is not null) lines.Add($"#SBATCH --partition={Sbatch(options.Partition)}");
        if (options.Time is not null) lines.Add($"#SBATCH --time={Sbatch(options.Time)}");
        if (options.Memory is not null) lines.Add($"#SBATCH --mem={Sbatch(options.Memory)}");
        lines.AddRange(CellScript.Lines(plan, "SLURM_ARRAY_TASK_ID"));
        return CellScript.Text(lines);
    }

    /// <summary>An #SBATCH value: sbatch splits these lines on whitespace and does not unquote, so reject spaces.</summary>
    private static string Sbatch(string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace) ? value
            : throw new ArgumentException($"'{value}' cannot go into an #SBATCH line (empty or with spaces); choose a path or name without spaces.");
}
