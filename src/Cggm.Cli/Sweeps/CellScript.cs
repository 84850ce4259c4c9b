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

    /// <summary>The script, one line per entry; <paramref name="indexVariable"/> is e.g. SLURM_ARRAY_TASK_ID.</summary>
    public static IReadOnlyList<string> Lines(SweepPlan plan, string indexVariable)
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
        lines.Add("  echo \"cggm sweep: build the kit once before submitting (dotnet build -c Release -p:TorchBackend=cuda in $PWD)\" >&2; exit 2");
        lines.Add("fi");
        lines.Add("exec ./cggm train \"${args[@]}\"");
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
