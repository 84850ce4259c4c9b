using System.Globalization;
using System.Text.Json.Serialization;
using Cggm.Modulation;

namespace Cggm.Experiments.Sweeps;

/// <summary>
/// One hyperparameter axis of a sweep: a key and its values, written <c>key=v1,v2,…</c> (commas inside brackets or quotes
/// belong to a value: <c>mslr.multipliers=[1,3],[1,5]</c>). Keys: <c>epochs</c>, <c>rho</c> (a number, or <c>none</c>
/// for the direction-only ablation), <c>lambda</c>, <c>modality</c> (the index unimodal training keeps), or any method
/// setting <c>cggm train --set</c> takes (<c>ogm-ge.alpha</c>, <c>cggm.guardThreshold</c>, …).
/// </summary>
/// <param name="Key">The key as written.</param>
/// <param name="Values">The values as written.</param>
public sealed record SweepAxis(string Key, IReadOnlyList<string> Values)
{
    /// <summary>The keys that are <c>cggm train</c> options of their own (every other key is a method setting).</summary>
    public static IReadOnlyList<string> OptionKeys { get; } = ["epochs", "rho", "lambda", "modality"];

    /// <summary>True for <c>epochs</c>, which every method reads.</summary>
    [JsonIgnore]
    public bool AppliesToEveryMethod => Key == "epochs";

    /// <summary>Parses <c>key=v1,v2,…</c> and checks every value (a bad key or value names itself and what is expected).</summary>
    public static SweepAxis Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new FormatException($"--grid '{text}': write key=value1,value2,… e.g. rho=1.1,1.3,1.5 or ogm-ge.alpha=0.1,0.5.");
        var key = text[..eq].Trim();
        var values = SplitTopLevel(text[(eq + 1)..]);
        if (values.Count == 0 || values.Any(v => v.Length == 0))
            throw new FormatException($"--grid '{text}': a value is empty.");
        if (values.Distinct().Count() != values.Count)
            throw new FormatException($"--grid '{text}': a value is repeated.");
        if (!OptionKeys.Contains(key) && !key.Contains('.'))
            throw new FormatException($"--grid '{text}': unknown key '{key}'. Use one of {string.Join(", ", OptionKeys)}, or a method setting such as ogm-ge.alpha (see --set in 'cggm train --help').");
        var axis = new SweepAxis(key, values);
        foreach (var v in values) axis.Apply(new MethodSettings(), v);   // throws on a bad value
        return axis;
    }

    /// <summary>The method settings with this axis at <paramref name="value"/> (<c>epochs</c> leaves them unchanged).</summary>
    public MethodSettings Apply(MethodSettings settings, string value) => Key switch
    {
        "epochs" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e >= 1 ? settings
            : throw new FormatException($"--grid epochs: '{value}' is not a whole number of at least 1."),
        "rho" => settings with { Cggm = settings.Cggm with { Rho = Rho(value) } },
        "lambda" => settings with { Cggm = settings.Cggm with { Lambda = Number(value) } },
        "modality" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? settings with { Modality = m }
            : throw new FormatException($"--grid modality: '{value}' is not a modality index (0, 1, …)."),
        _ => settings.Set($"{Key}={value}"),
    };

    /// <summary>ρ from its text: a number, or <c>none</c> (no magnitude modulation).</summary>
    public static double? Rho(string value) =>
        string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) ? null : Number(value, "rho");

    private double Number(string value) => Number(value, Key);

    private static double Number(string value, string key) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x
            : throw new FormatException($"--grid {key}: '{value}' is not a number{(key == "rho" ? " (or 'none')" : "")}.");

    /// <summary>Splits on commas outside brackets, braces and double quotes; trims each part.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"') quoted = !quoted;
            else if (!quoted && (c == '[' || c == '{')) depth++;
            else if (!quoted && (c == ']' || c == '}')) depth--;
            else if (!quoted && depth == 0 && c == ',')
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }
        parts.Add(text[start..].Trim());
        return parts;
    }
}
