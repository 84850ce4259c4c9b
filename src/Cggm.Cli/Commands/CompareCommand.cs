using System.ComponentModel;
using System.Diagnostics;
using Cggm.Data;
using Cggm.Experiments;
using Cggm.Modulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm compare</c>: every balancing method on the synthetic benchmark, several seeds, one table.</summary>
internal sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--seeds <SEEDS>")]
        [Description("Seeds, e.g. 0,1,2 or 0-4.")]
        [DefaultValue("0,1,2")]
        public string Seeds { get; init; } = "0,1,2";

        [CommandOption("--methods <METHODS>")]
        [Description("'all' or a comma-separated list (see 'cggm methods'); 'unimodal' runs each modality.")]
        [DefaultValue("all")]
        public string Methods { get; init; } = "all";

        [CommandOption("--epochs <N>")]
        [Description("Epochs per run (default 20, as the quickstart).")]
        public int? Epochs { get; init; }

        [CommandOption("--target <KIND>")]
        [Description("Synthetic task: classification or regression (classification-only methods are reported as not defined).")]
        [DefaultValue("classification")]
        public string Target { get; init; } = "classification";

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Change a method hyperparameter, e.g. --set ogm-ge.alpha=0.5 (repeatable).")]
        public string[] Set { get; init; } = [];

        [CommandOption("--out <DIR>")]
        [Description("Where results.csv and results.md go.")]
        [DefaultValue("artifacts/compare")]
        public string Out { get; init; } = "artifacts/compare";

        [CommandOption("--runs <DIR>")]
        [Description("Run folders (config, history, checkpoints).")]
        [DefaultValue("runs/compare")]
        public string Runs { get; init; } = "runs/compare";

        [CommandOption("--threads <N>")]
        [Description("Torch CPU threads (default 1: the benchmark's models are tiny and, on a shared 2-core machine, one thread ran a joint run 6× faster than two).")]
        [DefaultValue(1)]
        public int Threads { get; init; } = 1;

        [CommandOption("--fresh")]
        [Description("Retrain every run instead of reusing or resuming finished and interrupted ones.")]
        public bool Fresh { get; init; }

        public override ValidationResult Validate() =>
            Epochs is < 1 ? ValidationResult.Error("--epochs must be at least 1.")
            : Threads < 1 ? ValidationResult.Error("--threads must be at least 1.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var target = settings.Target.ToLowerInvariant() switch
        {
            "classification" => SyntheticTarget.Classification,
            "regression" => SyntheticTarget.Regression,
            _ => throw new ArgumentException($"--target '{settings.Target}': expected classification or regression."),
        };
        var config = new MethodComparisonConfig
        {
            Seeds = Parsing.Seeds(settings.Seeds),
            Methods = string.Equals(settings.Methods, "all", StringComparison.OrdinalIgnoreCase) ? null : Parsing.Names(settings.Methods, "--methods"),
        };
        var benchmark = config.Benchmark with { Data = config.Benchmark.Data with { Target = target } };
        if (settings.Epochs is { } epochs) benchmark = benchmark with { Trainer = benchmark.Trainer with { Epochs = epochs } };
        config = config with { Benchmark = benchmark, Settings = new MethodSettings { Cggm = benchmark.Cggm }.SetAll(settings.Set) };
        foreach (var name in config.Methods ?? MethodComparison.AllMethods) MethodRegistry.Create(name, config.Settings).Dispose();   // bad names and values fail before training

        TorchSharp.torch.set_num_threads(settings.Threads);
        var runs = Path.Combine(settings.Runs, target == SyntheticTarget.Classification ? "classification" : "regression");
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
