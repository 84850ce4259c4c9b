using System.ComponentModel;
using Cggm.Cli.Sweeps;
using Cggm.Experiments.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary>
/// <c>cggm collect</c>: reads every finished run under a folder (a sweep's, or any <c>--runs</c> folder), groups them into
/// configurations by their <c>config.json</c>, and writes one results table per dataset (mean ± std over seeds). For a
/// sweep folder it also lists the cells that have not finished, with the array indices to resubmit.
/// </summary>
internal sealed class CollectCommand : Command<CollectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("Folder of runs (default: runs).")]
        public string Directory { get; init; } = "runs";

        [CommandOption("--out <DIR>")]
        [Description("Where results-<dataset>.md/.csv go (default: DIR).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        Report(settings.Directory, settings.Out) ? 0 : 2;

    /// <summary>
    /// Prints and writes the tables of the runs under <paramref name="directory"/>, and a sweep's unfinished cells; returns
    /// false when a run folder was refused (its config disagrees with its results), after naming each.
    /// </summary>
    public static bool Report(string directory, string? outDir)
    {
        var (runs, refused) = RunCollection.Scan(directory);
        foreach (var r in refused) AnsiConsole.MarkupLine($"[red]refused:[/] {Markup.Escape(r.Directory)}: {Markup.Escape(r.Reason)}");
        var duplicates = runs.GroupBy(r => (RunCollection.ConfigurationKey(r), r.Seed)).Where(g => g.Count() > 1).ToArray();
        foreach (var d in duplicates)
            AnsiConsole.MarkupLine($"[yellow]{d.Count()} runs of the same configuration with seed {d.Key.Seed}[/] (all are counted): " +
                                   Markup.Escape(string.Join(", ", d.Select(r => r.Directory))));
        if (runs.Count == 0) AnsiConsole.MarkupLine($"No finished runs (config.json with metrics.json) under {Markup.Escape(directory)} yet.");
        var outRoot = outDir ?? directory;
        foreach (var (dataset, table) in RunCollection.Tables(runs))
        {
            RecipeConsole.Print(table);
            System.IO.Directory.CreateDirectory(outRoot);
            RecipeConsole.Save(table, outRoot, "results-" + dataset);
            AnsiConsole.MarkupLine($"Tables: {Markup.Escape(Path.Combine(outRoot, "results-" + dataset))}.{{md,csv}}");
        }
        var manifest = SweepPlan.Load(directory);
        if (refused.Count > 0)
            AnsiConsole.MarkupLine($"[red]{refused.Count} run folder(s) refused[/]: their results are in no table (exit code 2).");
        if (manifest is null) return refused.Count == 0;
        var missing = Unfinished(directory, manifest);
        if (missing.Count == 0)
        {
            AnsiConsole.MarkupLine($"All {manifest.Cells.Count} cells of the sweep have finished.");
            return refused.Count == 0;
        }
        var indices = string.Join(",", missing.Select(c => c.Index));
        AnsiConsole.MarkupLine($"[yellow]{missing.Count} of {manifest.Cells.Count} cells have not finished[/]: indices {indices}.");
        if (File.Exists(Path.Combine(directory, "sweep.sbatch")))
            AnsiConsole.MarkupLine($"Resubmit them with [bold]sbatch --array={indices} {Markup.Escape(Path.Combine(directory, "sweep.sbatch"))}[/], or run them here with 'cggm sweep' and the same options.");
        else
            AnsiConsole.MarkupLine("Run the same 'cggm sweep' command again to run them (finished cells are skipped).");
        return refused.Count == 0;
    }

    /// <summary>The cells of a sweep folder whose run has not written its <c>metrics.json</c>, by index.</summary>
    public static IReadOnlyList<SweepManifest.Cell> Unfinished(string directory, SweepManifest manifest) =>
        manifest.Cells.Where(c =>
        {
            var dir = Path.Combine(directory, "cells", c.Id);
            return !System.IO.Directory.Exists(dir) || !System.IO.Directory.EnumerateFiles(dir, "metrics.json", SearchOption.AllDirectories).Any();
        }).OrderBy(c => c.Index).ToArray();
}
