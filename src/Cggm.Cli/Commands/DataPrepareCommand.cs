using System.ComponentModel;
using System.Diagnostics;
using Cggm.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm data prepare &lt;dataset&gt;</c>: checks a data folder (checksums where published), says what to download
/// by hand, and runs the data-script that converts it (<c>--run</c>); <c>--sample</c> writes sample data in the exact format.</summary>
internal sealed class DataPrepareCommand : Command<DataPrepareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("synthetic, mosi, iemocap, food101, brats2021 or av-digits.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--root <DIR>")]
        [Description("The dataset folder (default: <data root>/<dataset>).")]
        public string? Root { get; init; }

        [CommandOption("--data-root <DIR>")]
        [Description("Data root (default: $CGGM_DATA, else ./data).")]
        public string? DataRoot { get; init; }

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
        var name = DatasetCatalog.Canonical(settings.Dataset);
        var root = DatasetCatalog.DatasetRoot(name, settings.Root, settings.DataRoot);
        if (settings.Sample)
        {
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
                throw new ArgumentException($"--sample writes into an empty or new folder; {root} is not empty.");
            if (settings.QuickSize) Cggm.Experiments.QuickSampleData.Write(name, root);
            else switch (name)
            {
                case "mosi": SampleData.WriteMosi(root); break;
                case "iemocap": SampleData.WriteIemocap(root); break;
                case "food101": SampleData.WriteFood101(root); break;
                case "brats2021": SampleData.WriteBrats2021(root); break;
                case AvDigits.DatasetName: SampleData.WriteAvDigits(root); break;
                default: throw new ArgumentException("The synthetic dataset is generated in memory; --sample does not apply.");
            }
            AnsiConsole.MarkupLine($"Wrote {(settings.QuickSize ? "Quick-size " : "")}sample {Markup.Escape(name)} data (random; not the real dataset) to {Markup.Escape(root)}.");
        }
        var report = DataPreparation.Check(name, root);
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
            report = DataPreparation.Check(name, root);
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
