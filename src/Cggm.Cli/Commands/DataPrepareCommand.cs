using System.ComponentModel;
using System.Diagnostics;
using Cggm.Cli.Options;
using Cggm.Experiments.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm data prepare &lt;dataset&gt;</c>: checks a data folder (checksums where published), says what to download
/// by hand, and runs the data-script that converts it (<c>--run</c>); <c>--sample</c> writes sample data in the exact format.</summary>
internal sealed class DataPrepareCommand : Command<DataPrepareCommand.Settings>
{
    public sealed class Settings : DatasetFolderSettings
    {
        [CommandOption("--run")]
        [Description("Run the script the check names (from the repository's data-scripts/: a conversion, or av-digits' download).")]
        public bool Run { get; init; }

        [CommandOption("--sample")]
        [Description("Write small random sample data in the dataset's exact format into an empty or new folder (the numbers mean nothing).")]
        public bool Sample { get; init; }

        [CommandOption("--quick-size")]
        [Description("With --sample: write it at the real per-sample shapes and the Quick profile's sample counts (to time a Quick run; hundreds of MB).")]
        public bool QuickSize { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var dataset = settings.Dataset;
        var root = dataset.Root(settings.Root, settings.DataRoot);
        if (settings.Sample)
        {
            var write = (settings.QuickSize ? dataset.WriteQuickSample : dataset.WriteSample)
                ?? throw new ArgumentException($"There is no {(settings.QuickSize ? "Quick-size " : "")}sample data for {dataset.Name}; --sample{(settings.QuickSize ? " --quick-size" : "")} does not apply.");
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
                throw new ArgumentException($"--sample writes into an empty or new folder; {root} is not empty.");
            write(root);
            AnsiConsole.MarkupLine($"Wrote {(settings.QuickSize ? "Quick-size " : "")}sample {Markup.Escape(dataset.Name)} data (random; not the real dataset) to {Markup.Escape(root)}.");
        }
        var report = dataset.Check(root);
        foreach (var line in report.Lines) AnsiConsole.MarkupLine(Markup.Escape(line));
        if (settings.Run && report.Command is { } command)
        {
            var scripts = FindDataScripts() ?? throw new DirectoryNotFoundException("data-scripts/ not found above the current folder or the cggm binary; run from the repository.");
            var parts = command.Split(' ', 2);
            AnsiConsole.MarkupLine($"Running: {Markup.Escape(command)}");
            var info = new ProcessStartInfo(parts[0], parts[1].Replace("data-scripts/", scripts + "/")) { UseShellExecute = false };
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {parts[0]}.");
            process.WaitForExit();
            if (process.ExitCode != 0) return 1;
            report = dataset.Check(root);
            AnsiConsole.MarkupLine(Markup.Escape(report.Lines[^1]));
        }
        return report.Ready ? 0 : 2;
    }

    private static string? FindDataScripts()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "data-scripts"))) return Path.Combine(dir.FullName, "data-scripts");
        return null;
    }
}
