using System.ComponentModel;
using Cggm.Cli.Options;
using Cggm.Experiments;
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
        TorchSharp.torch.set_num_threads(settings.Threads);
        var result = RecipeConsole.Run(reproduction.Name, p => reproduction.Run(profile, settings.DataRoot, p, cancellation));
        foreach (var t in result.Tables.Where(t => t.Results is not null)) RecipeConsole.Print(t.Results!);
        var dir = settings.Out ?? RepositoryPaths.Artifacts("reproduce", reproduction.Name, profile.ToString().ToLowerInvariant());
        var index = ReproductionWriter.Write(result, dir);
        AnsiConsole.MarkupLine($"{result.Tables.Count} tables (CSV, Markdown) and {result.Charts.Count} charts (HTML) in {Markup.Escape(dir)}; overview: [link]{Markup.Escape(index)}[/]");
        return 0;
    }
}
