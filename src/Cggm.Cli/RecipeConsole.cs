using Cggm.Experiments;
using Cggm.Training;
using Spectre.Console;
using Cggm.IO;

namespace Cggm.Cli;

/// <summary>Runs a multi-run recipe under a Spectre progress display (an overall bar and the current run's bar).</summary>
internal static class RecipeConsole
{
    public static T Run<T>(string title, Func<IProgress<RecipeProgress>, T> recipe)
    {
        T result = default!;
        var finished = new List<string>();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask($"[bold]{Markup.Escape(title)}[/]", maxValue: 1.0);
                ProgressTask? current = null;
                string? currentKey = null;
                result = recipe(new Reporter(p =>
                {
                    var key = $"{p.Method} seed {p.Seed}";
                    if (key != currentKey)
                    {
                        current?.StopTask();
                        current = ctx.AddTask(Markup.Escape(key), maxValue: 1.0);
                        currentKey = key;
                    }
                    var t = p.Training;
                    if (t.Stage == ProgressStage.Resumed)
                        AnsiConsole.MarkupLine(t.Epoch + 1 >= t.Epochs
                            ? $"{Markup.Escape(key)}: already trained ({t.Epochs} epochs in its last.ckpt); reporting its results."
                            : $"{Markup.Escape(key)}: resumed from its last.ckpt after epoch {t.Epoch + 1} of {t.Epochs}; continuing with epoch {t.Epoch + 2}.");
                    current!.Value = t.Fraction;
                    current.Description = $"{Markup.Escape(key)}: epoch {t.Epoch + 1}/{t.Epochs} loss {t.Loss:F4}";
                    overall.Value = (p.RunIndex + t.Fraction) / p.RunCount;
                    if (t.Stage == ProgressStage.Test)
                    {
                        current.Value = 1;
                        current.Description = Markup.Escape(key) + ": done";
                        current.StopTask();
                    }
                }));
                overall.Value = 1;
            });
        return result;
    }

    private sealed class Reporter(Action<RecipeProgress> report) : IProgress<RecipeProgress>
    {
        public void Report(RecipeProgress value) => report(value);
    }

    /// <summary>Prints a results table.</summary>
    public static void Print(ResultTable table)
    {
        var t = new Table().Title(Markup.Escape(table.Title)).AddColumn("Method");
        foreach (var c in table.Columns) t.AddColumn(new TableColumn(Markup.Escape(c.Header)).RightAligned());
        foreach (var r in table.Rows)
            t.AddRow(new[] { Markup.Escape(r.Method) }.Concat(r.Values.Select((v, i) => Markup.Escape(v?.Format(table.Columns[i].Decimals, table.Columns[i].Scale) ?? ""))).ToArray());
        AnsiConsole.Write(t);
    }

    /// <summary>Writes a table as Markdown and CSV next to each other.</summary>
    public static void Save(ResultTable table, string directory, string name)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, name + ".md"), $"## {table.Title}\n\n{table.ToMarkdown()}");
        AtomicFile.WriteAllText(Path.Combine(directory, name + ".csv"), table.ToCsv());
    }
}
