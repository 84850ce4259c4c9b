using System.ComponentModel;
using System.Diagnostics;
using Cggm.Cli.Options;
using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm compare</c>: every balancing method on the synthetic benchmark, several seeds, one table.</summary>
internal sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : MethodRunSettings
    {
        [CommandOption("--methods <METHODS>")]
        [Description("'all' or a comma-separated list (see 'cggm methods'); 'unimodal' runs each modality.")]
        [DefaultValue("all")]
        public string Methods { get; init; } = "all";

        [CommandOption("--out <DIR>")]
        [Description("Where results.csv and results.md go.")]
        [DefaultValue("artifacts/compare")]
        public string Out { get; init; } = "artifacts/compare";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var target = Enum.Parse<SyntheticTarget>(settings.TargetFor(DatasetRegistry.Synthetic)!, ignoreCase: true);
        var config = new MethodComparisonConfig
        {
            Seeds = Parsing.Seeds(settings.Seeds),
            Methods = string.Equals(settings.Methods, "all", StringComparison.OrdinalIgnoreCase) ? null : Parsing.Names(settings.Methods, "--methods"),
        };
        var benchmark = config.Benchmark with { Data = config.Benchmark.Data with { Target = target } };
        if (settings.Epochs is { } epochs) benchmark = benchmark with { Trainer = benchmark.Trainer with { Epochs = epochs } };
        config = config with { Benchmark = benchmark, Settings = new MethodSettings { Cggm = benchmark.Cggm }.SetAll(settings.Set) };
        foreach (var name in config.Methods ?? MethodComparison.AllMethods) MethodRegistry.Create(name, config.Settings).Dispose();   // bad names and values fail before training

        TorchSharp.torch.set_num_threads(settings.Threads ?? 1);
        var runs = Path.Combine(settings.Runs ?? "runs/compare", target == SyntheticTarget.Classification ? "classification" : "regression");
        if (settings.Fresh && Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        var clock = Stopwatch.StartNew();
        var result = RecipeConsole.Run("compare", p => MethodComparison.Run(config, runs, resume: true, p, cancellation));
        RecipeConsole.Print(result.Table);
        foreach (var (method, reason) in result.Undefined)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(method)}[/]: not defined for this task, no row ({Markup.Escape(reason)})");
        Directory.CreateDirectory(settings.Out);
        RecipeConsole.Save(result.Table, settings.Out, "results");
        AnsiConsole.MarkupLine($"Tables: {Markup.Escape(settings.Out)}/results.{{md,csv}}  Runs: {Markup.Escape(runs)}/  ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }
}
