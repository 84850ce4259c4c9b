using System.Text.Json;
using Cggm.IO;

namespace Cggm.Bench;

/// <summary>
/// What <c>benchmarks/released/time_released.py --json</c> prints: where the released code ran and one
/// <see cref="StepMeasurement"/> per (model, method) it timed (none for <c>--check</c>).
/// </summary>
/// <param name="Python">Python version.</param>
/// <param name="Torch">PyTorch version.</param>
/// <param name="Threads">torch's intra-op threads during the run.</param>
/// <param name="Blas">The BLAS libraries mapped into the process (Debian: <c>…/blas/</c> is the reference BLAS, <c>…/openblas-pthread/</c> OpenBLAS).</param>
/// <param name="Measurements">The step times, with our measurements' fields (peak memory from <c>/proc/self/status</c>).</param>
public sealed record ReleasedBenchReport(string Python, string Torch, int Threads, IReadOnlyList<string> Blas, IReadOnlyList<StepMeasurement> Measurements)
{
    /// <summary>Reads the script's JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ReleasedBenchException">Not one JSON object, or a field missing or out of range.</exception>
    public static ReleasedBenchReport Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            var start = json.Trim();
            var shown = start.Length == 0 ? "nothing" : $"'{(start.Length > 120 ? start[..120] + "…" : start)}'";
            throw new ReleasedBenchException($"{source} is not the JSON report of time_released.py --json ({e.Message}); it printed {shown}. " +
                                             "Run the script by hand with the same arguments to see what it says.", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "the report", $"a JSON object, not {root.ValueKind}");
            string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(source, $"'{name}'", "a string");
            int threads = root.TryGetProperty("threads", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) && n >= 1 ? n : throw Bad(source, "'threads'", "a whole number ≥ 1");
            var blas = root.TryGetProperty("blas", out var b) && b.ValueKind == JsonValueKind.Array ? b.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
            var measurements = new List<StepMeasurement>();
            if (root.TryGetProperty("measurements", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array) throw Bad(source, "'measurements'", "a list");
                foreach (var item in list.EnumerateArray())
                {
                    var where = $"measurements[{measurements.Count}]";
                    StepMeasurement m;
                    try
                    {
                        m = item.Deserialize<StepMeasurement>(Json.Options) ?? throw Bad(source, where, "an object");
                    }
                    catch (JsonException e)
                    {
                        throw new ReleasedBenchException($"{source}: {where} is not a step measurement ({e.Message}).", e);
                    }
                    if (string.IsNullOrEmpty(m.Model) || string.IsNullOrEmpty(m.Method)) throw Bad(source, where, "a 'model' and a 'method'");
                    if (m.Steps < 1 || !(m.MedianMs > 0) || double.IsInfinity(m.MedianMs)) throw Bad(source, $"{where} ({m.Model} {m.Method})", "at least one step and a positive, finite 'medianMs'");
                    measurements.Add(m);
                }
            }
            return new ReleasedBenchReport(Text("python"), Text("torch"), threads, blas, measurements);
        }
    }

    private static ReleasedBenchException Bad(string source, string what, string expected) =>
        new($"{source}: {what} is missing or malformed; expected {expected}. Is the script benchmarks/released/time_released.py of this repository?");
}
