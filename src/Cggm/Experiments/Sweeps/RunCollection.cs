using System.Globalization;
using System.Text.Json.Nodes;
using Cggm.Modulation;
using Cggm.Training;
using Cggm.IO;

namespace Cggm.Experiments.Sweeps;

/// <summary>A finished run read back from its folder (<c>config.json</c> and <c>metrics.json</c>, as <see cref="Trainer"/> writes them).</summary>
/// <param name="Directory">The run folder.</param>
/// <param name="Config">The run's <c>config.json</c>.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Task">Task kind ("classification", "regression", "segmentation").</param>
/// <param name="Method">Method name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Result">Validation and test metrics of the best epoch (the per-step history stays in the folder's CSV files).</param>
public sealed record FinishedRun(string Directory, JsonObject Config, string Dataset, string Task, string Method, int Seed, TrainingResult Result);

/// <summary>
/// Aggregates finished runs from disk into the standard results tables (<see cref="Tables.ForTask"/>, mean ± std over
/// seeds). Runs are grouped into configurations by everything their <c>config.json</c> records except the seed, the device
/// and the run folder; a row is named by its method and the settings that differ among that method's configurations, e.g.
/// <c>cggm (rho=1.3, lambda=0.2)</c>. Works on any folder of runs: a sweep's, <c>cggm train</c>'s, or a recipe's.
/// </summary>
public static class RunCollection
{
    /// <summary>Config entries that never change a result, so never split a configuration.</summary>
    public static IReadOnlyList<string> IgnoredSettings { get; } = ["trainer.seed", "trainer.device", "trainer.runDirectory", "trainer.resume"];

    private sealed record MetricsFile(string Method, int Seed, int BestEpoch, double Seconds, IReadOnlyList<string> Modalities, EvaluationResult Valid, EvaluationResult Test);

    /// <summary>
    /// Every run folder under <paramref name="root"/> with both <c>config.json</c> and <c>metrics.json</c>, by path; a folder
    /// whose config disagrees with its results (<see cref="Scan"/>) is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static IReadOnlyList<FinishedRun> Find(string root)
    {
        var (runs, refused) = Scan(root);
        if (refused.Count > 0)
            throw new InvalidDataException(string.Join("\n", refused.Select(r => $"{r.Directory}: {r.Reason}")));
        return runs;
    }

    /// <summary>A run folder that <see cref="Scan"/> does not collect, and why.</summary>
    public sealed record RefusedRun(string Directory, string Reason);

    /// <summary>
    /// The finished runs under <paramref name="root"/>, and the folders refused because their <c>config.json</c> disagrees with
    /// their results: <c>metrics.json</c> of another method or seed, or <c>epochs.csv</c> with another number of epochs than the
    /// config asks for (two runs with different settings wrote the same folder, or files were copied together from different
    /// runs). Such a folder's numbers cannot be attributed to its config, so they are left out of every table.
    /// </summary>
    public static (IReadOnlyList<FinishedRun> Runs, IReadOnlyList<RefusedRun> Refused) Scan(string root)
    {
        if (!System.IO.Directory.Exists(root))
            throw new DirectoryNotFoundException($"No run folder '{root}': pass the folder a sweep or 'cggm train --runs' wrote.");
        var refused = new List<RefusedRun>();
        var runs = new List<FinishedRun>();
        foreach (var metricsPath in System.IO.Directory.EnumerateFiles(root, "metrics.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var dir = Path.GetDirectoryName(metricsPath)!;
            var configPath = Path.Combine(dir, "config.json");
            if (!File.Exists(configPath)) continue;
            var config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new InvalidDataException($"{configPath} is not a JSON object; expected the config.json a run writes.");
            var metrics = Json.Deserialize<MetricsFile>(File.ReadAllText(metricsPath), metricsPath);
            if (Disagreement(dir, config, metrics) is { } reason)
            {
                refused.Add(new RefusedRun(dir, reason));
                continue;
            }
            var dataset = config["dataset"]?.GetValue<string>() ?? throw new InvalidDataException($"{configPath} has no \"dataset\".");
            var task = config["task"]?.GetValue<string>() ?? throw new InvalidDataException($"{configPath} has no \"task\".");
            var result = new TrainingResult
            {
                Method = metrics.Method, Seed = metrics.Seed, History = new TrainingHistory(metrics.Modalities), BestEpoch = metrics.BestEpoch,
                Valid = metrics.Valid, Test = metrics.Test, Seconds = metrics.Seconds, RunDirectory = dir,
            };
            runs.Add(new FinishedRun(dir, config, dataset, task, metrics.Method, metrics.Seed, result));
        }
        return (runs, refused);
    }

    /// <summary>How the folder's config and results disagree, or null when they agree.</summary>
    private static string? Disagreement(string dir, JsonObject config, MetricsFile metrics)
    {
        var problems = new List<string>();
        if (config["method"]?["name"] is JsonValue name && name.TryGetValue<string>(out var method) && method != metrics.Method)
            problems.Add($"config.json is for method '{method}' but metrics.json for '{metrics.Method}'");
        if (config["trainer"]?["seed"] is JsonValue seedValue && seedValue.TryGetValue<int>(out var seed) && seed != metrics.Seed)
            problems.Add($"config.json has seed {seed} but metrics.json seed {metrics.Seed}");
        int? epochs = config["trainer"]?["epochs"] is JsonValue e && e.TryGetValue<int>(out var n) ? n : null;
        var epochsCsv = Path.Combine(dir, "epochs.csv");
        if (epochs is { } wanted && File.Exists(epochsCsv))
        {
            int rows = File.ReadLines(epochsCsv).Skip(1).Count(l => l.Length > 0);
            if (rows != wanted) problems.Add($"config.json asks for {wanted} epochs but epochs.csv has {rows}");
        }
        if (epochs is { } total && (metrics.BestEpoch < 0 || metrics.BestEpoch >= total))
            problems.Add($"metrics.json's best epoch {metrics.BestEpoch} is outside the config's {total} epochs");
        return problems.Count == 0 ? null
            : $"its config disagrees with its results ({string.Join("; ", problems)}): two runs with different settings wrote this folder, " +
              "or its files come from different runs. It is not collected; train it again into a folder of its own (cggm train … --fresh).";
    }

    /// <summary>The run's settings as dotted paths (<c>method.options.rho</c>, <c>trainer.epochs</c>) → JSON text, without <see cref="IgnoredSettings"/>.</summary>
    public static IReadOnlyDictionary<string, string> Settings(FinishedRun run)
    {
        var flat = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(run.Config, "", flat);
        foreach (var ignored in IgnoredSettings) flat.Remove(ignored);
        return flat;
    }

    /// <summary>The configuration a run belongs to: its <see cref="Settings"/> as one string.</summary>
    public static string ConfigurationKey(FinishedRun run) => string.Join("\n", Settings(run).Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>
    /// One table per dataset (in name order): a row per configuration, ordered by method (as <c>cggm methods</c> lists them)
    /// and then by the differing settings (numbers numerically).
    /// </summary>
    public static IReadOnlyList<(string Dataset, ResultTable Table)> Tables(IReadOnlyList<FinishedRun> runs)
    {
        var tables = new List<(string, ResultTable)>();
        foreach (var dataset in runs.GroupBy(r => r.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var tasks = dataset.Select(r => r.Task).Distinct().ToArray();
            if (tasks.Length > 1)
                throw new InvalidDataException($"Runs of '{dataset.Key}' disagree on the task ({string.Join(", ", tasks)}); collect them from separate folders.");
            var groups = dataset.GroupBy(ConfigurationKey).Select(g => g.ToArray()).ToArray();
            var labelled = new List<(string Method, IReadOnlyList<string> Order, string Label, FinishedRun[] Runs)>();
            foreach (var byMethod in groups.GroupBy(g => g[0].Method))
            {
                var settings = byMethod.Select(g => Settings(g[0])).ToArray();
                var varying = settings.SelectMany(s => s.Keys).Distinct().Where(k => settings.Select(s => s.GetValueOrDefault(k)).Distinct().Count() > 1).ToArray();
                var names = ShortNames(varying);
                foreach (var (group, s) in byMethod.Zip(settings))
                {
                    var values = varying.Select(k => Display(s.GetValueOrDefault(k))).ToArray();
                    var label = varying.Length == 0 ? byMethod.Key : $"{byMethod.Key} ({string.Join(", ", names.Zip(values, (n, v) => $"{n}={v}"))})";
                    labelled.Add((byMethod.Key, values, label, group));
                }
            }
            var ordered = labelled.OrderBy(l => MethodOrder(l.Method)).ThenBy(l => l.Method, StringComparer.Ordinal)
                                  .ThenBy(l => l.Order, ValuesComparer.Instance).ToArray();
            var experimentRuns = ordered.SelectMany(l => l.Runs.OrderBy(r => r.Seed).Select(r => new ExperimentRun(l.Label, r.Seed, r.Result))).ToArray();
            var modalities = dataset.First().Result.History.Modalities;
            var title = $"{dataset.Key}: {ordered.Length} configuration{(ordered.Length == 1 ? "" : "s")}, {dataset.Count()} runs (test set, mean ± std over seeds)";
            tables.Add((dataset.Key, Cggm.Experiments.Tables.ForTask(tasks[0], title, experimentRuns, modalities)));
        }
        return tables;
    }

    private static int MethodOrder(string method)
    {
        var index = MethodRegistry.Methods.Select((m, i) => (m.Name, i)).FirstOrDefault(p => p.Name == method);
        return index.Name is null ? int.MaxValue : index.i;
    }

    /// <summary>Setting names without the <c>method.options.</c> / <c>trainer.</c> prefix, unless two would then clash.</summary>
    private static string[] ShortNames(IReadOnlyList<string> keys)
    {
        static string Short(string k) =>
            k.StartsWith("method.options.", StringComparison.Ordinal) ? k["method.options.".Length..]
            : k.StartsWith("trainer.", StringComparison.Ordinal) ? k["trainer.".Length..] : k;
        var shorts = keys.Select(Short).ToArray();
        return keys.Select((k, i) => shorts.Count(s => s == shorts[i]) > 1 ? k : shorts[i]).ToArray();
    }

    private static string Display(string? json) =>
        json is null ? "—" : json.Length >= 2 && json[0] == '"' && json[^1] == '"' ? json[1..^1] : json;

    private static void Flatten(JsonNode? node, string path, IDictionary<string, string> into)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj) Flatten(child, path.Length == 0 ? key : path + "." + key, into);
            if (obj.Count == 0) into[path] = "{}";
        }
        else into[path] = node?.ToJsonString() ?? "null";
    }

    private sealed class ValuesComparer : IComparer<IReadOnlyList<string>>
    {
        public static readonly ValuesComparer Instance = new();

        public int Compare(IReadOnlyList<string>? x, IReadOnlyList<string>? y)
        {
            for (int i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                int c = double.TryParse(x[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) &&
                        double.TryParse(y[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
                    ? a.CompareTo(b) : string.CompareOrdinal(x[i], y[i]);
                if (c != 0) return c;
            }
            return x.Count.CompareTo(y.Count);
        }
    }
}
