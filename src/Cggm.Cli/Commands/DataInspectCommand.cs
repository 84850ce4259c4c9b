using System.ComponentModel;
using System.Text.Json;
using Cggm.Cli.Options;
using Cggm.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm data inspect &lt;dataset&gt;</c>: opens a data folder through the real loader, reads one sample per split and
/// prints the DESIGN §7 report (<c>--json</c>: exactly the JSON object, nothing else).</summary>
internal sealed class DataInspectCommand : Command<DataInspectCommand.Settings>
{
    public sealed class Settings : DatasetFolderSettings
    {
        [CommandOption("--fold <N>")]
        [Description("IEMOCAP cross-validation fold 1-10 (default 1, as CGGM).")]
        public int? Fold { get; init; }

        [CommandOption("--json")]
        [Description("Print only the JSON report.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var descriptor = settings.Dataset;
        var root = descriptor.Root(settings.Root, settings.DataRoot);
        var notes = new List<string>();
        var dataset = descriptor.Open(root, new DatasetOpenOptions { Fold = settings.Fold, Log = notes.Add });
        string json;
        try { json = DatasetInspection.Inspect(dataset, root); }
        finally { (dataset as IDisposable)?.Dispose(); }
        if (settings.Json)
        {
            Console.Out.WriteLine(json);
            return 0;
        }
        using var doc = JsonDocument.Parse(json);
        var table = new Table().Title($"{Markup.Escape(descriptor.Name)} — {Markup.Escape(root)}").AddColumn("Split").AddColumn("Samples").AddColumn("Modalities (one sample)").AddColumn("Label");
        foreach (var split in doc.RootElement.GetProperty("splits").EnumerateObject())
        {
            var modalities = string.Join("  ", split.Value.GetProperty("modalities").EnumerateObject().Select(m => $"{m.Name} [{string.Join(", ", m.Value.EnumerateArray())}]"));
            var label = split.Value.GetProperty("label");
            var labelText = label.GetProperty("kind").GetString() + (label.TryGetProperty("classes", out var c) ? $", {c} classes" : "")
                + (label.TryGetProperty("shape", out var s) ? $", [{string.Join(", ", s.EnumerateArray())}]" : "");
            table.AddRow(split.Name, split.Value.GetProperty("count").ToString(), Markup.Escape(modalities), Markup.Escape(labelText));
        }
        AnsiConsole.Write(table);
        foreach (var note in notes) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        return 0;
    }
}
