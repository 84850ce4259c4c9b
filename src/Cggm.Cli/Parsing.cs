namespace Cggm.Cli;

/// <summary>Parsers for list options.</summary>
internal static class Parsing
{
    /// <summary>"0,1,2" or "0-4" or "3" → seeds.</summary>
    public static int[] Seeds(string text)
    {
        var seeds = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length == 2 && int.TryParse(range[0], out var a) && int.TryParse(range[1], out var b) && a <= b)
                seeds.AddRange(Enumerable.Range(a, b - a + 1));
            else if (int.TryParse(part, out var s)) seeds.Add(s);
            else throw new FormatException($"--seeds '{text}': expected integers separated by commas, or a range such as 0-4.");
        }
        if (seeds.Count == 0) throw new FormatException("--seeds needs at least one seed.");
        return seeds.Distinct().ToArray();
    }

    /// <summary>"a,b,c" → names.</summary>
    public static string[] Names(string text, string option)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new FormatException($"{option} needs at least one name.");
        return names;
    }
}
