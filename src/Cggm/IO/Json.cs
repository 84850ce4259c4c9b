using System.Text.Json;
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
}
