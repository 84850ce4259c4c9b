using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cggm.IO;

/// <summary>The JSON settings of every file a run writes (configs, metrics, history inside checkpoints).</summary>
public static class Json
{
    /// <summary>Indented, camelCase, enums as strings, NaN/±Infinity allowed.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serializes <paramref name="value"/> with <see cref="Options"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Deserializes with <see cref="Options"/>; throws <see cref="InvalidDataException"/> naming <paramref name="source"/> on bad input.</summary>
    public static T Deserialize<T>(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{source} holds JSON null; expected a {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a valid {typeof(T).Name} ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The values that differ between two JSON documents, as "path: old → new" (dotted paths, <c>[i]</c> for array items,
    /// "(none)" for a missing value), in document order; empty when they are equal.
    /// </summary>
    public static IReadOnlyList<string> Differences(string before, string after)
    {
        var found = new List<string>();
        Compare(JsonNode.Parse(before), JsonNode.Parse(after), "", found);
        return found;
    }

    private static void Compare(JsonNode? a, JsonNode? b, string path, List<string> found)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Concat(ob.Select(p => p.Key)).Distinct())
                Compare(oa[key], ob[key], path.Length == 0 ? key : $"{path}.{key}", found);
        }
        else if (a is JsonArray xa && b is JsonArray xb && xa.Count == xb.Count)
        {
            for (int i = 0; i < xa.Count; i++) Compare(xa[i], xb[i], $"{path}[{i}]", found);
        }
        else if (!JsonNode.DeepEquals(a, b))
        {
            static string Text(JsonNode? n) => n?.ToJsonString() ?? "(none)";
            found.Add($"{(path.Length == 0 ? "(document)" : path)}: {Text(a)} → {Text(b)}");
        }
    }
}
