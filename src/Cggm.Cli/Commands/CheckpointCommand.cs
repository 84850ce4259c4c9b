using System.ComponentModel;
using Cggm.Models.Interop;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary>
/// <c>cggm checkpoint import|export --model &lt;class&gt; &lt;from&gt; &lt;to&gt;</c>, through the documented name maps (docs/parity.md):
/// <list type="bullet">
/// <item><c>import</c>: a state dict saved by the released PyTorch code (<c>torch.save(model.state_dict())</c> .pt/.pth, or
/// .safetensors) into C# weights (TorchSharp format; one state dict per classifier for the classifier classes);</item>
/// <item><c>export</c>: C# weights (a <c>module.save</c> file, the model part of a run's <c>best.ckpt</c>, or <c>import</c>'s output)
/// as the released class's state dict, which <c>model.load_state_dict(torch.load(path))</c> accepts (.pt/.pth), or .safetensors.</item>
/// </list>
/// </summary>
internal sealed class CheckpointCommand : Command<CheckpointCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIRECTION>")]
        [Description("import (released PyTorch state dict → C# weights) or export (C# weights → released state dict).")]
        public string Direction { get; init; } = "";

        [CommandArgument(1, "<FROM>")]
        [Description("import: the released state dict (.pt, .pth, .bin or .safetensors); export: the C# weights (TorchSharp format, or a run's best.ckpt).")]
        public string From { get; init; } = "";

        [CommandArgument(2, "<TO>")]
        [Description("import: where to write the C# weights; export: where to write the released state dict (.pt/.pth for torch.load, or .safetensors).")]
        public string To { get; init; } = "";

        [CommandOption("--model <CLASS>")]
        [Description("The released class: MSAModel, FoodModel, ClassifierGuided, DeepLabMultiInput or SegClassifier.")]
        public string Model { get; init; } = "";

        [CommandOption("--heads <N>")]
        [Description("Attention heads of the transformer models (not stored in a state dict; released: 5).")]
        [DefaultValue(ReleasedModels.ReleasedHeads)]
        public int Heads { get; init; } = ReleasedModels.ReleasedHeads;

        public override ValidationResult Validate() =>
            Direction is not ("import" or "export") ? ValidationResult.Error($"The direction is import or export, not '{Direction}'.")
            : string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error($"--model is required: {string.Join(", ", ReleasedModels.Names.Keys)}.")
            : Heads < 1 ? ValidationResult.Error("--heads must be at least 1.") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var family = ReleasedModels.Parse(settings.Model);
        bool import = settings.Direction == "import";
        var modules = import ? ReleasedModels.Import(family, settings.From, settings.Heads) : ReleasedModels.LoadOurs(family, settings.From, settings.Heads);
        if (import) TorchSharpWeights.Write(settings.To, modules);
        else ReleasedModels.Export(family, modules, settings.To);
        long parameters = modules.Sum(m => m.parameters().Sum(p => p.numel()));
        AnsiConsole.MarkupLine($"{(import ? "Imported" : "Exported")} [bold]{Markup.Escape(settings.From)}[/] ({family}: {modules.Count} C# module(s), " +
                               $"{Markup.Escape(string.Join(", ", modules.Select(m => m.GetType().Name).Distinct()))}, {parameters:N0} parameters): wrote [bold]{Markup.Escape(settings.To)}[/].");
        foreach (var m in modules) m.Dispose();
        return 0;
    }
}
