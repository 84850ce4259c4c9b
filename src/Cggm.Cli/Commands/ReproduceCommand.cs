using System.ComponentModel;
using Cggm.Cli.Options;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Reproductions;
using Spectre.Console;
using Spectre.Console.Cli;
using Cggm.IO;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm reproduce NAME</c>: a notebook's experiment, headless.</summary>
internal sealed class ReproduceCommand : Command<ReproduceCommand.Settings>
{
    public sealed class Settings : DataRootSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("Reproduction or notebook name (see 'cggm reproduce --list').")]
        public string Name { get; init; } = "";

        [CommandOption("--profile <PROFILE>")]
        [Description("smoke, quick or paper.")]
        [DefaultValue("quick")]
        public string Profile { get; init; } = "quick";

        [CommandOption("--dataset <NAME>")]
        [Description("Run the analysis on another dataset with paper settings (paper-vs-reference, hyperparameters), e.g. av-digits.")]
        public string? Dataset { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder (default artifacts/reproduce/<name>/<profile>).")]
        public string? Out { get; init; }

        [CommandOption(SharedOptions.Threads)]
        [Description(SharedOptions.ThreadsDescription)]
        [DefaultValue(1)]
        public int Threads { get; init; } = 1;

        public override ValidationResult Validate() => SharedOptions.CheckThreads(Threads) is { } error ? ValidationResult.Error(error) : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var reproduction = ReproductionCatalog.Get(settings.Name);
        var profile = Profiles.Parse(settings.Profile);
        var (folder, run) = Target(reproduction, settings.Dataset);
        TorchSharp.torch.set_num_threads(settings.Threads);
        var result = RecipeConsole.Run(folder, p => run(profile, settings.DataRoot, p, cancellation));
        foreach (var t in result.Tables.Where(t => t.Results is not null)) RecipeConsole.Print(t.Results!);
        var dir = settings.Out ?? RepositoryPaths.Artifacts("reproduce", folder, profile.ToString().ToLowerInvariant());
        var index = ReproductionWriter.Write(result, dir);
        AnsiConsole.MarkupLine($"{result.Tables.Count} tables (CSV, Markdown) and {result.Charts.Count} charts (HTML) in {Markup.Escape(dir)}; overview: [link]{Markup.Escape(index)}[/]");
        return 0;
    }

    /// <summary>The output folder name and the call: the reproduction itself, or its analysis on <paramref name="dataset"/>.</summary>
    private static (string Folder, Func<Cggm.Experiments.Profile, string?, IProgress<RecipeProgress>, CancellationToken, ReproductionResult> Run) Target(IReproduction reproduction, string? dataset)
    {
        if (dataset is null) return (reproduction.Name, (p, root, progress, c) => reproduction.Run(p, root, progress, c));
        if (reproduction is not IDatasetReproduction onAny)
            throw new ArgumentException($"'{reproduction.Name}' runs on its own dataset; --dataset applies to " +
                $"{string.Join(", ", ReproductionCatalog.Reproductions.OfType<IDatasetReproduction>().Select(r => r.Name))}.", nameof(dataset));
        var descriptor = DatasetRegistry.Get(dataset);
        descriptor.RequirePaperSettings();
        return (onAny.Folder(descriptor), (p, root, progress, c) => onAny.Run(descriptor, p, root, progress, c));
    }
}
