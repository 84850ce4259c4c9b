using System.ComponentModel;
using Cggm.Models.Interop;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary>Options both directions share.</summary>
internal class CheckpointSettings : CommandSettings
{
    [CommandOption("--model <CLASS>")]
    [Description("The released class: MSAModel, FoodModel, ClassifierGuided, DeepLabMultiInput or SegClassifier.")]
    public string Model { get; init; } = "";

    [CommandOption("--heads <N>")]
    [Description("Attention heads of the transformer models (not stored in a state dict; released: 5).")]
    [DefaultValue(ReleasedModels.ReleasedHeads)]
    public int Heads { get; init; } = ReleasedModels.ReleasedHeads;

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error($"--model is required: {string.Join(", ", ReleasedModels.Names.Keys)}.")
        : Heads < 1 ? ValidationResult.Error("--heads must be at least 1.") : ValidationResult.Success();
}

/// <summary>
/// <c>cggm checkpoint import --model &lt;class&gt; &lt;released&gt; &lt;ours&gt;</c>: a state dict saved by the released PyTorch code
/// (<c>torch.save(model.state_dict())</c> .pt/.pth, or .safetensors) into the C# model's weights (TorchSharp format), through the
/// documented name map (docs/parity.md).
/// </summary>
internal sealed class CheckpointImportCommand : Command<CheckpointImportCommand.Settings>
{
    public sealed class Settings : CheckpointSettings
    {
        [CommandArgument(0, "<RELEASED>")]
        [Description("The released state dict (.pt, .pth, .bin or .safetensors).")]
        public string Released { get; init; } = "";

        [CommandArgument(1, "<OURS>")]
        [Description("Where to write the C# weights (TorchSharp format; one state dict per classifier for the classifier classes).")]
        public string Ours { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var family = ReleasedModels.Parse(settings.Model);
        var modules = ReleasedModels.Import(family, settings.Released, settings.Heads);
        TorchSharpWeights.Write(settings.Ours, modules);
        long parameters = modules.Sum(m => m.parameters().Sum(p => p.numel()));
        AnsiConsole.MarkupLine($"Imported [bold]{Markup.Escape(settings.Released)}[/] ({family}) into {modules.Count} C# module(s) " +
                               $"({Markup.Escape(string.Join(", ", modules.Select(m => m.GetType().Name).Distinct()))}, {parameters:N0} parameters): wrote [bold]{Markup.Escape(settings.Ours)}[/].");
        foreach (var m in modules) m.Dispose();
        return 0;
    }
}

/// <summary>
/// <c>cggm checkpoint export --model &lt;class&gt; &lt;ours&gt; &lt;released&gt;</c>: C# weights (a <c>module.save</c> file, the model part of
/// a run's <c>best.ckpt</c>, or <c>checkpoint import</c>'s output) as the released class's state dict, which
/// <c>model.load_state_dict(torch.load(path))</c> accepts (.pt/.pth) — or .safetensors.
/// </summary>
internal sealed class CheckpointExportCommand : Command<CheckpointExportCommand.Settings>
{
    public sealed class Settings : CheckpointSettings
    {
        [CommandArgument(0, "<OURS>")]
        [Description("The C# weights (TorchSharp format).")]
        public string Ours { get; init; } = "";

        [CommandArgument(1, "<RELEASED>")]
        [Description("Where to write the released state dict (.pt/.pth for torch.load, or .safetensors).")]
        public string Released { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var family = ReleasedModels.Parse(settings.Model);
        var modules = ReleasedModels.LoadOurs(family, settings.Ours, settings.Heads);
        ReleasedModels.Export(family, modules, settings.Released);
        int entries = ReleasedNameMap.For(family, modules).Entries.Count;
        AnsiConsole.MarkupLine($"Exported [bold]{Markup.Escape(settings.Ours)}[/] as a {family} state dict ({entries} tensors): wrote [bold]{Markup.Escape(settings.Released)}[/].");
        foreach (var m in modules) m.Dispose();
        return 0;
    }
}
