using System.ComponentModel;
using System.Diagnostics;
using Cggm.Cli.Options;
using Cggm.Experiments;
using Cggm.Notebooks.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm quickstart</c>: the main job.</summary>
internal sealed class QuickstartCommand : Command<QuickstartCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--methods <METHODS>")]
        [Description("Methods to compare (see 'cggm methods').")]
        [DefaultValue("joint,cggm,cggm-reference")]
        public string Methods { get; init; } = "joint,cggm,cggm-reference";

        [CommandOption("--out <DIR>")]
        [Description("Where the report and tables go.")]
        [DefaultValue("artifacts/quickstart")]
        public string Out { get; init; } = "artifacts/quickstart";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var config = new QuickstartConfig { Seeds = Parsing.Seeds(settings.Seeds), Methods = Parsing.Names(settings.Methods, "--methods") };
        if (settings.Epochs is { } epochs) config = config with { Benchmark = config.Benchmark with { Trainer = config.Benchmark.Trainer with { Epochs = epochs } } };
        var runs = settings.Runs ?? "runs/quickstart/quick";
        if (settings.Fresh && Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        var clock = Stopwatch.StartNew();
        var result = RecipeConsole.Run("quickstart", p => Quickstart.Run(config, runs, resume: true, p, cancellation));
        RecipeConsole.Print(result.Table);
        Directory.CreateDirectory(settings.Out);
        RecipeConsole.Save(result.Table, settings.Out, "results");
        var report = Path.Combine(settings.Out, "report.html");
        QuickstartReport.Build(result).Save(report);
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(Path.GetFullPath(report))}[/]  Tables: {Markup.Escape(settings.Out)}/results.{{md,csv}}  Runs: {Markup.Escape(runs)}/  ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }
}
