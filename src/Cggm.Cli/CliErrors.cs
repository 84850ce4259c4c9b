using Cggm.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli;

/// <summary>Turns exceptions into one clear message and an exit code: 2 for bad usage or input, 1 for a failed run.</summary>
internal static class CliErrors
{
    public static int Report(Exception exception)
    {
        var e = exception is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : exception;
        var (code, kind) = e switch
        {
            CommandParseException or CommandRuntimeException => (2, "usage"),
            ArgumentException or FormatException or NotSupportedException => (2, "invalid input"),
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException or Cggm.Data.DatasetFileException => (2, "data"),
            Cggm.Models.Interop.CheckpointException => (2, "checkpoint"),
            RunFolderException => (2, "run folder"),
            NonFiniteLossException => (1, "training stopped"),
            OperationCanceledException => (130, "cancelled"),
            _ => (1, "error"),
        };
        var message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
        AnsiConsole.MarkupLine($"[red]{kind}:[/] {Markup.Escape(message)}");
        if (code == 2 && e is CommandParseException or CommandRuntimeException) AnsiConsole.MarkupLine("Run [bold]cggm --help[/] or [bold]cggm <command> --help[/].");
        if (code == 1 && e is not NonFiniteLossException and not OperationCanceledException) AnsiConsole.WriteLine(e.ToString());
        return code;
    }
}
