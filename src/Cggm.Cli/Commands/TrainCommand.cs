using System.ComponentModel;
using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Settings;
using Cggm.Modulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm train</c>: one method on one dataset, one or more seeds.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset <NAME>")]
        [Description("Dataset: synthetic, mosi, iemocap, food101, brats2021 (paper datasets use the paper's settings).")]
        [DefaultValue("synthetic")]
        public string Dataset { get; init; } = "synthetic";

        [CommandOption("--method <NAME>")]
        [Description("Balancing method (see 'cggm methods').")]
        [DefaultValue("cggm")]
        public string Method { get; init; } = "cggm";

        [CommandOption("--seeds <SEEDS>")]
        [Description("Seeds, e.g. 0,1,2 or 0-4.")]
        [DefaultValue("0")]
        public string Seeds { get; init; } = "0";

        [CommandOption("--epochs <N>")]
        [Description("Epochs (default: the dataset's setting).")]
        public int? Epochs { get; init; }

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

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Change a method hyperparameter, e.g. --set ogm-ge.alpha=0.5 or --set mslr.multipliers=[[1,3]] (repeatable).")]
        public string[] Set { get; init; } = [];

        [CommandOption("--target <KIND>")]
        [Description("Synthetic dataset: classification or regression.")]
        [DefaultValue("classification")]
        public string Target { get; init; } = "classification";

        [CommandOption("--data-root <DIR>")]
        [Description("Data root holding <dataset>/ folders (default: CGGM_DATA, else ./data).")]
        public string? DataRoot { get; init; }

        [CommandOption("--root <DIR>")]
        [Description("The dataset's own folder (overrides --data-root).")]
        public string? Root { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu, cuda or cuda:N (default: CUDA when available).")]
        public string? Device { get; init; }

        [CommandOption("--runs <DIR>")]
        [Description("Run folder root; runs go to <DIR>/<dataset>/<method>/seed-<n>/.")]
        [DefaultValue("runs/train")]
        public string Runs { get; init; } = "runs/train";

        [CommandOption("--fresh")]
        [Description("Start over instead of resuming from the run folder's last checkpoint.")]
        public bool Fresh { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Torch CPU threads (default: libtorch's choice, one per core). 'cggm sweep' runs each cell with its own --threads.")]
        public int? Threads { get; init; }

        [CommandOption("--dry-run")]
        [Description("Check the options (method, dataset name, --set values, seeds) and print the run folders; read no data and train nothing.")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate()
        {
            if (Epochs is < 1) return ValidationResult.Error("--epochs must be at least 1.");
            if (Threads is < 1) return ValidationResult.Error("--threads must be at least 1.");
            if (NoMagnitude && Rho is not null) return ValidationResult.Error("--rho and --no-magnitude contradict each other.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var seeds = Parsing.Seeds(settings.Seeds);
        MethodRegistry.Get(settings.Method);
        if (settings.DryRun) return DryRun(settings, seeds);
        if (settings.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        var setup = Setup(settings);
        using var data = setup.Data as IDisposable;
        var root = Path.Combine(settings.Runs, setup.Name);
        if (settings.Fresh)
            foreach (var seed in seeds)
            {
                var dir = Path.Combine(root, MethodRegistry.Create(settings.Method, setup.Methods).Name, $"seed-{seed}");
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        var runs = RecipeConsole.Run($"{settings.Method} on {setup.Name}", p => ExperimentRunner.Run(setup, [settings.Method], seeds, root, resume: true, p, cancellation));
        var modalities = setup.Data.Modalities.Select(m => m.Name).ToArray();
        var table = Tables.ForTask(setup.Task.Kind, $"{setup.Name}: {settings.Method} (test set)", runs, modalities);
        RecipeConsole.Print(table);
        RecipeConsole.Save(table, root, settings.Method + "-results");
        AnsiConsole.MarkupLine($"Runs: {Markup.Escape(root)}/{Markup.Escape(runs[0].Method)}/seed-*/ (config.json, history.csv, epochs.csv, metrics.json, checkpoints)");
        return 0;
    }

    /// <summary>Everything <see cref="Setup"/> checks that needs no data: names, the target, ρ/λ and each --set value.</summary>
    private static int DryRun(Settings s, int[] seeds)
    {
        var name = DatasetCatalog.Canonical(s.Dataset);
        if (name == "synthetic" && s.Target.ToLowerInvariant() is not ("classification" or "regression"))
            throw new ArgumentException($"--target '{s.Target}': expected classification or regression.");
        var methods = new MethodSettings { Modality = s.Modality };
        methods = methods with { Cggm = methods.Cggm with { Rho = s.NoMagnitude ? null : s.Rho ?? methods.Cggm.Rho, Lambda = s.Lambda ?? methods.Cggm.Lambda } };
        using var method = MethodRegistry.Create(s.Method, methods.SetAll(s.Set));
        var experiment = name == "synthetic" && s.Target.Equals("regression", StringComparison.OrdinalIgnoreCase) ? "synthetic-regression" : name;
        foreach (var seed in seeds)
            Console.WriteLine(Path.Combine(s.Runs, experiment, method.Name, $"seed-{seed}"));   // plain: one path per line, never wrapped
        return 0;
    }

    private static ExperimentSetup Setup(Settings s)
    {
        var name = DatasetCatalog.Canonical(s.Dataset);
        if (name != "synthetic")
        {
            var paper = PaperSettings.For(name);
            paper = paper with
            {
                Epochs = s.Epochs ?? paper.Epochs, Device = s.Device,
                Cggm = paper.Cggm with { Rho = s.NoMagnitude ? null : s.Rho ?? paper.Cggm.Rho, Lambda = s.Lambda ?? paper.Cggm.Lambda },
            };
            var data = DatasetCatalog.Open(name, DatasetCatalog.DatasetRoot(name, s.Root, s.DataRoot), new DatasetOpenOptions { Log = m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]") });
            var paperSetup = paper.Setup(data, name, s.Modality);
            return paperSetup with { Methods = paperSetup.Methods.SetAll(s.Set) };
        }
        var target = s.Target.ToLowerInvariant() switch
        {
            "classification" => SyntheticTarget.Classification,
            "regression" => SyntheticTarget.Regression,
            _ => throw new ArgumentException($"--target '{s.Target}': expected classification or regression."),
        };
        var b = new SyntheticBenchmark { Data = new SyntheticImbalanceOptions { Target = target } };
        b = b with
        {
            Trainer = b.Trainer with { Epochs = s.Epochs ?? b.Trainer.Epochs, Device = s.Device },
            Cggm = b.Cggm with { Rho = s.NoMagnitude ? null : s.Rho ?? b.Cggm.Rho, Lambda = s.Lambda ?? b.Cggm.Lambda },
        };
        var setup = b.Setup(target == SyntheticTarget.Classification ? "synthetic" : "synthetic-regression", s.Modality);
        return setup with { Methods = setup.Methods.SetAll(s.Set) };
    }
}
