using System.ComponentModel;
using System.Diagnostics;
using Cggm.Experiments;
using Cggm.Notebooks.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm quickstart</c>: the main job.</summary>
internal sealed class QuickstartCommand : Command<QuickstartCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--seeds <SEEDS>")]
        [Description("Seeds, e.g. 0,1,2 or 0-4.")]
        [DefaultValue("0,1,2")]
        public string Seeds { get; init; } = "0,1,2";

        [CommandOption("--methods <METHODS>")]
        [Description("Methods to compare (see 'cggm methods').")]
        [DefaultValue("joint,cggm,cggm-reference")]
        public string Methods { get; init; } = "joint,cggm,cggm-reference";

        [CommandOption("--epochs <N>")]
        [Description("Epochs per run (default 20).")]
        public int? Epochs { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Where the report and tables go.")]
        [DefaultValue("artifacts/quickstart")]
        public string Out { get; init; } = "artifacts/quickstart";

        [CommandOption("--runs <DIR>")]
        [Description("Run folders (config, history, checkpoints).")]
        [DefaultValue("runs/quickstart/quick")]
        public string Runs { get; init; } = "runs/quickstart/quick";

        [CommandOption("--fresh")]
        [Description("Retrain every run instead of reusing or resuming finished and interrupted ones.")]
        public bool Fresh { get; init; }

        public override ValidationResult Validate() =>
            Epochs is < 1 ? ValidationResult.Error("--epochs must be at least 1.") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var config = new QuickstartConfig { Seeds = Parsing.Seeds(settings.Seeds), Methods = Parsing.Names(settings.Methods, "--methods") };
        if (settings.Epochs is { } epochs) config = config with { Benchmark = config.Benchmark with { Trainer = config.Benchmark.Trainer with { Epochs = epochs } } };
        if (settings.Fresh && Directory.Exists(settings.Runs)) Directory.Delete(settings.Runs, recursive: true);
        var clock = Stopwatch.StartNew();
        var result = RecipeConsole.Run("quickstart", p => Quickstart.Run(config, settings.Runs, resume: true, p, cancellation));
        RecipeConsole.Print(result.Table);
        Directory.CreateDirectory(settings.Out);
        RecipeConsole.Save(result.Table, settings.Out, "results");
        var report = Path.Combine(settings.Out, "report.html");
        QuickstartReport.Build(result).Save(report);
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(Path.GetFullPath(report))}[/]  Tables: {Markup.Escape(settings.Out)}/results.{{md,csv}}  Runs: {Markup.Escape(settings.Runs)}/  ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }
}
