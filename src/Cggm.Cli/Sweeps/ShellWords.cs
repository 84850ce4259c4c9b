using System.Text.RegularExpressions;

namespace Cggm.Cli.Sweeps;

/// <summary>Writes arguments as bash words: plain when safe, else single-quoted.</summary>
internal static partial class ShellWords
{
    [GeneratedRegex("^[A-Za-z0-9_./=:,+@%-]+$")]
    private static partial Regex Plain();

    /// <summary>One bash word that expands to exactly <paramref name="argument"/>.</summary>
    public static string Quote(string argument)
    {
        if (argument.Contains('\n') || argument.Contains('\r') || argument.Contains('\0'))
            throw new ArgumentException($"The argument '{argument}' contains a line break; a job script cannot carry it.");
        return argument.Length > 0 && Plain().IsMatch(argument) ? argument : "'" + argument.Replace("'", "'\\''") + "'";
    }

    /// <summary>The words of <paramref name="arguments"/>, space-separated.</summary>
    public static string Join(IEnumerable<string> arguments) => string.Join(" ", arguments.Select(Quote));
}
