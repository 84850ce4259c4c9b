using System.ComponentModel;
using System.Text.Json;
using Cggm.Cli.Options;
using Cggm.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary>
/// <c>cggm data inspect &lt;dataset&gt;</c>: opens a data folder through the real loader, reads and checks every sample of every
/// split (<c>--first</c>: the first of each) with a progress bar, and prints the DESIGN §7 report with the problems found,
/// each naming its file, split, key or line and sample (<c>--json</c>: exactly the JSON object, nothing else). Exit code 2
/// when a problem would stop training.
/// </summary>
internal sealed class DataInspectCommand : Command<DataInspectCommand.Settings>
{
    public sealed class Settings : DatasetFolderSettings
    {
        [CommandOption("--fold <N>")]
        [Description("IEMOCAP cross-validation fold 1-10 (default 1, as CGGM).")]
        public int? Fold { get; init; }

        [CommandOption("--first")]
        [Description("Read only the first sample of each split (the quick check); by default every sample is read and checked.")]
        public bool First { get; init; }

        [CommandOption("--json")]
        [Description("Print only the JSON report (with \"problems\" and \"notes\").")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var descriptor = settings.Dataset;
        var root = descriptor.Root(settings.Root, settings.DataRoot);
        var notes = new List<string>();
        var dataset = descriptor.Open(root, new DatasetOpenOptions { Fold = settings.Fold, Log = notes.Add });
        var scope = settings.First ? InspectionScope.First : InspectionScope.Every;
        string json;
        InspectionReport report;
        try
        {
            report = settings.Json || scope == InspectionScope.First
                ? DatasetInspection.Validate(dataset, scope, cancellation: cancellation)
                : WithProgress(dataset, scope, cancellation);
            json = DatasetInspection.ToJson(dataset, root, report, scope, notes);
        }
        finally { (dataset as IDisposable)?.Dispose(); }
        int code = report.Ok ? 0 : 2;
        if (settings.Json)
        {
            Console.Out.WriteLine(json);
            return code;
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
        foreach (var note in notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        foreach (var f in report.Findings)
            AnsiConsole.MarkupLine($"{(f.Severity == FindingSeverity.Error ? "[red]error:[/]" : "[yellow]warning:[/]")} {Markup.Escape(f.Message)}");
        var read = report.Checked.Sum();
        var what = scope == InspectionScope.First ? $"the first sample of each split ({read}; without --first every sample is read)" : $"all {read} samples";
        var errors = report.Errors.Count();
        AnsiConsole.MarkupLine(errors == 0
            ? $"[green]OK[/]: read and checked {what}."
            : $"[red]{errors} problem(s)[/] in {what}: training would stop on them. Fix the files named above (exit code 2).");
        return code;
    }

    /// <summary>The validation with a progress bar per split.</summary>
    private static InspectionReport WithProgress(IMultimodalDataset dataset, InspectionScope scope, CancellationToken cancellation)
    {
        InspectionReport report = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = Enum.GetValues<Split>().ToDictionary(s => s, s => ctx.AddTask($"{SampleChecks.Name(s)} ({dataset[s].Count} samples)", autoStart: false, maxValue: Math.Max(1, dataset[s].Count)));
                report = DatasetInspection.Validate(dataset, scope, new Inline(p =>
                {
                    var t = tasks[p.Split];
                    if (!t.IsStarted) t.StartTask();
                    t.Value = p.Done;
                    if (p.Done >= p.Total) t.StopTask();
                }), cancellation);
                foreach (var t in tasks.Values) { t.Value = t.MaxValue; t.StopTask(); }
            });
        return report;
    }

    private sealed class Inline(Action<InspectionProgress> report) : IProgress<InspectionProgress>
    {
        public void Report(InspectionProgress value) => report(value);
    }
}
