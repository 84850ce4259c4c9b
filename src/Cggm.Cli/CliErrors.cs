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
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException or Cggm.Data.DatasetFileException or Cggm.Data.InvalidSampleException => (2, "data"),
            Cggm.Models.Interop.CheckpointException => (2, "checkpoint"),
            Cggm.Bench.ReleasedBenchException => (2, "released code"),
            RunFolderException => (2, "run folder"),
            NonFiniteLossException => (1, "training stopped"),
            OperationCanceledException => (130, "cancelled"),
            _ => (1, "error"),
        };
        var message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
        if (e is CommandRuntimeException or CommandParseException && ConversionFailure(message) is { } clearer) message = clearer;
        // standard error, one line, unwrapped: a path in the message stays whole for copying, and --json output stays clean
        var error = Console.Error;
        error.WriteLine((Console.IsErrorRedirected ? $"{kind}:" : $"\u001b[31m{kind}:\u001b[0m") + " " + message);
        if (code == 2 && e is CommandParseException or CommandRuntimeException) error.WriteLine("Run cggm --help or cggm <command> --help.");
        if (code == 1 && e is not NonFiniteLossException and not OperationCanceledException) error.WriteLine(e.ToString());
        return code;
    }

    /// <summary>The command line, for messages that need to name the option a value was given to.</summary>
    public static IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary>
    /// Spectre's "Failed to convert 'abc' to Nullable`1." names neither the option nor what it takes: this says
    /// "--epochs 'abc': expected a whole number", from the command line and the option's declared type.
    /// </summary>
    internal static string? ConversionFailure(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Failed to convert '(?<value>.*)' to (?<type>[^ ]+)\.$");
        if (!match.Success) return null;
        var value = match.Groups["value"].Value;
        var option = Enumerable.Range(1, Math.Max(0, Arguments.Count - 1)).Where(i => Arguments[i] == value && Arguments[i - 1].StartsWith('-'))
            .Select(i => Arguments[i - 1]).FirstOrDefault()
            ?? Arguments.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a.EndsWith("=" + value, StringComparison.Ordinal))?.Split('=')[0];
        var type = option is null ? null : OptionType(option.TrimStart('-'));
        var expected = type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(bool) ? "true or false" : $"a value of type {match.Groups["type"].Value}";
        return option is null ? $"'{value}' is not a valid value: expected {expected}." : $"{option} '{value}': expected {expected}.";
    }

    private static Type? OptionType(string name)
    {
        foreach (var settings in typeof(CliErrors).Assembly.GetTypes().Where(t => typeof(CommandSettings).IsAssignableFrom(t)))
            foreach (var property in settings.GetProperties())
                if (property.GetCustomAttributes(typeof(CommandOptionAttribute), true).FirstOrDefault() is CommandOptionAttribute a &&
                    (a.LongNames.Contains(name) || a.ShortNames.Contains(name)))
                    return Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return null;
    }
}
