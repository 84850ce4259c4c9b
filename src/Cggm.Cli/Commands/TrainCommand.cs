using System.ComponentModel;
using Cggm.Cli.Options;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm train</c>: one method on one dataset, one or more seeds.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    /// <summary>Where runs go by default: <c>&lt;runs&gt;/&lt;dataset&gt;/&lt;method&gt;/seed-&lt;n&gt;/</c>.</summary>
    private const string DefaultRuns = "runs/train";

    public sealed class Settings : DatasetRunSettings
    {
        /// <summary>One seed unless asked.</summary>
        public Settings() => Seeds = "0";

        [CommandOption("--method <NAME>")]
        [Description("Balancing method (see 'cggm methods').")]
        [DefaultValue(MethodNames.Cggm)]
        public string Method { get; init; } = MethodNames.Cggm;

        [CommandOption("--rho <RHO>")]
        [Description("CGGM ρ (default: the dataset's setting).")]
        public double? Rho { get; init; }

        [CommandOption("--no-magnitude")]
        [Description("CGGM without magnitude modulation (ρ = None, the paper's direction-only ablation).")]
        public bool NoMagnitude { get; init; }

        [CommandOption("--lambda <LAMBDA>")]
        [Description("CGGM λ (0 = magnitude only).")]
        public double? Lambda { get; init; }

        [CommandOption("--modality <I>")]
        [Description("Modality index kept by --method unimodal.")]
        [DefaultValue(0)]
        public int Modality { get; init; }

        [CommandOption(SharedOptions.Root)]
        [Description(SharedOptions.RootDescription)]
        public string? Root { get; init; }

        [CommandOption("--dry-run")]
        [Description("Check the options (method, dataset name, --set values, seeds, --device) and print the run folders; read no data and train nothing.")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate()
        {
            if (base.Validate() is { Successful: false } failed) return failed;
            if (NoMagnitude && Rho is not null) return ValidationResult.Error("--rho and --no-magnitude contradict each other.");
            return ValidationResult.Success();
        }

        /// <summary>CGGM's options with --rho, --no-magnitude and --lambda applied.</summary>
        public CggmOptions Cggm(CggmOptions cggm) => cggm with { Rho = NoMagnitude ? null : Rho ?? cggm.Rho, Lambda = Lambda ?? cggm.Lambda };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var seeds = Parsing.Seeds(settings.Seeds);
        MethodRegistry.Get(settings.Method);
        var dataset = settings.Dataset;
        var target = settings.TargetFor(dataset);
        var runs = settings.Runs ?? DefaultRuns;
        if (settings.Device is not null) Cggm.Training.Devices.Decide(settings.Device);   // an unavailable device fails here, before any data are read (also with --dry-run)
        if (settings.DryRun) return DryRun(settings, dataset.ExperimentName(target), runs, seeds);
        if (settings.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        var setup = dataset.Setup(new SetupRequest
        {
            Root = settings.Root, DataRoot = settings.DataRoot, Target = target, Epochs = settings.Epochs, Device = settings.Device,
            Cggm = settings.Cggm, Modality = settings.Modality, Log = m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"),
        });
        setup = setup with { Methods = setup.Methods.SetAll(settings.Set) };
        using var data = setup.Data as IDisposable;
        var root = Path.Combine(runs, setup.Name);
        if (settings.Fresh)
            foreach (var seed in seeds)
            {
                using var method = MethodRegistry.Create(settings.Method, setup.Methods);
                Cggm.Training.RunFolders.Delete(Path.Combine(root, method.Name, $"seed-{seed}"));   // refused while another process trains into it
            }
        var finished = RecipeConsole.Run($"{settings.Method} on {setup.Name}", p => ExperimentRunner.Run(setup, [settings.Method], seeds, root, resume: true, p, cancellation));
        var modalities = setup.Data.Modalities.Select(m => m.Name).ToArray();
        var table = Tables.ForTask(setup.Task.Kind, $"{setup.Name}: {settings.Method} (test set)", finished, modalities);
        RecipeConsole.Print(table);
        RecipeConsole.Save(table, root, settings.Method + "-results");
        AnsiConsole.MarkupLine($"Runs: {Markup.Escape(root)}/{Markup.Escape(finished[0].Method)}/seed-*/ (config.json, history.csv, epochs.csv, metrics.json, checkpoints)");
        return 0;
    }

    /// <summary>Everything the run checks that needs no data: names, the target, ρ/λ and each --set value; prints the run folders.</summary>
    private static int DryRun(Settings s, string experiment, string runs, int[] seeds)
    {
        var methods = new MethodSettings { Modality = s.Modality };
        methods = methods with { Cggm = s.Cggm(methods.Cggm) };
        using var method = MethodRegistry.Create(s.Method, methods.SetAll(s.Set));
        foreach (var seed in seeds)
            Console.WriteLine(Path.Combine(runs, experiment, method.Name, $"seed-{seed}"));   // plain: one path per line, never wrapped
        return 0;
    }
}
