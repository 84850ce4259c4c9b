using System.Text.Json;

namespace Cggm.Tests.Data;

/// <summary>Paths to the committed fixtures (data-scripts/fixtures/make_fixtures.py) and their expected.json values.</summary>
internal static class Fixture
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    public static JsonElement Expected(params string[] parts)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_(parts)));
        return doc.RootElement.Clone();
    }

    public static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    /// <summary>Float values; JSON null stands for NaN/±inf (checked separately).</summary>
    public static double?[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? (double?)null : x.GetDouble()).ToArray();

    public static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("cggm-data-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
