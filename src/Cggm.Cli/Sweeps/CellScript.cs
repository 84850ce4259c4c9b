using System.Text;

namespace Cggm.Cli.Sweeps;

/// <summary>
/// The bash body every cluster job of a sweep runs: pick the cell by the scheduler's index variable, check that the kit is
/// built (many jobs must not race to build it), then <c>exec ./cggm train</c> with that cell's arguments, from the
/// repository root.
/// </summary>
internal static class CellScript
{
    /// <summary>The build output <c>./cggm</c> runs.</summary>
    public const string CliDll = "src/Cggm.Cli/bin/Release/net10.0/Cggm.Cli.dll";

    /// <summary>The build command a job's missing build asks for: with the CUDA backend when the jobs get GPUs, else the plain (CPU) build.</summary>
    public static string BuildCommand(bool gpus) => gpus ? "dotnet build -c Release -p:TorchBackend=cuda" : "dotnet build -c Release";

    /// <summary>
    /// The script, one line per entry; <paramref name="indexVariable"/> is e.g. SLURM_ARRAY_TASK_ID. Without
    /// <paramref name="launch"/> it ends by <c>exec</c>ing <c>./cggm train</c>; otherwise those lines start it.
    /// </summary>
    public static IReadOnlyList<string> Lines(SweepPlan plan, string indexVariable, bool gpus, IReadOnlyList<string>? launch = null)
    {
        var lines = new List<string>
        {
            "set -euo pipefail",
            $"cell=\"${{{indexVariable}:?this script runs as one task of a job array (${indexVariable} is not set)}}\"",
            "case \"$cell\" in",
        };
        foreach (var cell in plan.Cells)
            lines.Add($"  {cell.Index}) args=({ShellWords.Join(plan.Arguments(cell))}) ;;   # {cell.Description}");
        lines.Add($"  *) echo \"cggm sweep: no cell $cell (this sweep has cells 0-{plan.Cells.Count - 1})\" >&2; exit 2 ;;");
        lines.Add("esac");
        lines.Add($"if [ ! -f {CliDll} ]; then");
        lines.Add($"  echo \"cggm sweep: build the kit once before submitting ({BuildCommand(gpus)} in $PWD)\" >&2; exit 2");
        lines.Add("fi");
        if (launch is null) lines.Add("exec ./cggm train \"${args[@]}\"");
        else lines.AddRange(launch);
        return lines;
    }

    /// <summary>The lines joined with '\n' and a final newline.</summary>
    public static string Text(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines) sb.Append(line).Append('\n');
        return sb.ToString();
    }
}
