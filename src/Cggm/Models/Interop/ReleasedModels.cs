using System.Text.RegularExpressions;
using Cggm.Data;
using Cggm.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Interop;

/// <summary>
/// Builds the C# modules that match a released state dict (sizes read from its shapes) and moves weights between the two:
/// the library call behind <c>cggm checkpoint import|export</c>. The number of attention heads is not in a state dict; the
/// released models use 5.
/// </summary>
public static partial class ReleasedModels
{
    /// <summary>The released attention heads (<c>num_heads</c> 5 in every run script; FoodModel hard-codes 5).</summary>
    public const int ReleasedHeads = 5;

    /// <summary>
    /// The C# modules for <paramref name="stateDict"/> (released names), with its weights loaded: one model, or the classifiers in
    /// modality order. <paramref name="source"/> names the file in errors.
    /// </summary>
    public static IReadOnlyList<nn.Module> Import(ReleasedModelFamily family, IReadOnlyDictionary<string, Tensor> stateDict, string source, int heads = ReleasedHeads)
    {
        var modules = Create(family, stateDict, source, heads);
        ReleasedNameMap.For(family, modules).Load(stateDict, source);
        return modules;
    }

    /// <summary>Reads the released state dict <paramref name="path"/> and returns the C# modules holding its weights.</summary>
    public static IReadOnlyList<nn.Module> Import(ReleasedModelFamily family, string path, int heads = ReleasedHeads)
    {
        var file = PyTorchStateDict.Read(path);
        try { return Import(family, file, path, heads); }
        finally { foreach (var t in file.Values) t.Dispose(); }
    }

    /// <summary>Writes <paramref name="modules"/> as the released class's state dict at <paramref name="path"/> (<c>.pt</c>, <c>.pth</c> or <c>.safetensors</c>).</summary>
    public static void Export(ReleasedModelFamily family, IReadOnlyList<nn.Module> modules, string path) => ReleasedNameMap.For(family, modules).Save(path);

    /// <summary>The released class names, as <c>cggm checkpoint --model</c> takes them (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, ReleasedModelFamily> Names { get; } = new Dictionary<string, ReleasedModelFamily>(StringComparer.OrdinalIgnoreCase)
    {
        ["MSAModel"] = ReleasedModelFamily.MsaModel,
        ["FoodModel"] = ReleasedModelFamily.FoodModel,
        ["ClassifierGuided"] = ReleasedModelFamily.ClassifierGuided,
        ["DeepLabMultiInput"] = ReleasedModelFamily.DeepLabMultiInput,
        ["SegClassifier"] = ReleasedModelFamily.SegClassifier,
    };

    /// <summary>The family named <paramref name="name"/> (a released class name); throws an <see cref="ArgumentException"/> listing them.</summary>
    public static ReleasedModelFamily Parse(string name) => Names.TryGetValue(name, out var f) ? f
        : throw new ArgumentException($"Unknown released model '{name}'; choose one of {string.Join(", ", Names.Keys)}.", nameof(name));

    /// <summary>True for the families that are one module per modality (the classifiers).</summary>
    public static bool IsPerModality(ReleasedModelFamily family) => family is ReleasedModelFamily.ClassifierGuided or ReleasedModelFamily.SegClassifier;

    /// <summary>
    /// The C# modules saved in <paramref name="path"/> (TorchSharp format, <see cref="TorchSharpWeights"/>), rebuilt with the sizes
    /// their tensors have: the first state dict for a model (so a run's <c>best.ckpt</c> works), every one for the classifiers.
    /// </summary>
    public static IReadOnlyList<nn.Module> LoadOurs(ReleasedModelFamily family, string path, int heads = ReleasedHeads)
    {
        var dicts = TorchSharpWeights.Read(path, IsPerModality(family) ? null : 1);
        try
        {
            // Translate the names to the released ones to read the sizes, build, then load the C# names as saved.
            var released = new Dictionary<string, Tensor>();
            for (int i = 0; i < dicts.Count; i++)
                foreach (var (name, t) in dicts[i])
                {
                    string ours = IsPerModality(family) ? $"{i}.{name}" : name;
                    string key;
                    try { key = ReleasedNameMap.ToReleased(family, ours); }
                    catch (InvalidOperationException) { throw new CheckpointException(path, $"'{path}' has the tensor '{name}', which a C# {family} does not have; is --model right?"); }
                    released[key] = t;
                }
            var modules = Create(family, released, path, heads);
            for (int i = 0; i < modules.Count; i++)
            {
                var want = modules[i].state_dict();
                var problems = want.Where(kv => !dicts[i].TryGetValue(kv.Key, out var t) || !t.shape.SequenceEqual(kv.Value.shape))
                    .Select(kv => dicts[i].TryGetValue(kv.Key, out var t) ? $"'{kv.Key}' is [{string.Join(", ", t.shape)}], expected [{string.Join(", ", kv.Value.shape)}]" : $"'{kv.Key}' is missing").ToList();
                problems.AddRange(dicts[i].Keys.Where(k => !want.ContainsKey(k)).Select(k => $"'{k}' is unexpected"));
                if (problems.Count > 0)
                    throw new CheckpointException(path, $"'{path}' (state dict {i}) does not fit a C# {family}: " + string.Join("; ", problems.Take(10)));
                using var _ = no_grad();
                foreach (var (name, t) in want) t.copy_(dicts[i][name]);
            }
            return modules;
        }
        finally { foreach (var d in dicts) foreach (var t in d.Values) t.Dispose(); }
    }

    /// <summary>Fresh C# modules shaped like <paramref name="stateDict"/> (weights not loaded).</summary>
    public static IReadOnlyList<nn.Module> Create(ReleasedModelFamily family, IReadOnlyDictionary<string, Tensor> stateDict, string source, int heads = ReleasedHeads)
    {
        long[] Shape(string name) => stateDict.TryGetValue(name, out var t) ? t.shape
            : throw new CheckpointException(source, $"'{source}' is not a {family} state dict: it has no tensor '{name}'.");
        int Count(Regex rule) => stateDict.Keys.Select(k => rule.Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
        int CountUnder(string prefix) => stateDict.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')[0]).Distinct().Count();
        var none = new TransformerDropouts(0, 0, 0, 0, 0);

        switch (family)
        {
            case ReleasedModelFamily.MsaModel:
            {
                int m = Count(MsaProjection());
                if (m < 1) Shape("proj.0.weight");
                var dims = Enumerable.Range(0, m).Select(i => Shape($"proj.{i}.weight")).ToArray();
                string[] names = m == 3 ? ["text", "audio", "vision"] : Enumerable.Range(0, m).Select(i => $"modality{i}").ToArray();
                var options = new TransformerModelOptions
                {
                    Outputs = (int)Shape("out_layer.weight")[0], Dim = (int)dims[0][0], Heads = heads,
                    Layers = CountUnder("encoders.0.layers."), Dropouts = none, ReleasedPositionOrder = true,
                };
                return [new SequenceTransformer(names.Select((n, i) => new ModalityInfo(n, [-1, dims[i][1]])).ToArray(), options)];
            }
            case ReleasedModelFamily.FoodModel:
            {
                var projection = Shape("projv.weight");
                var options = TransformerModelOptions.Food101 with
                {
                    Outputs = (int)Shape("out_layer.weight")[0], Dim = (int)projection[0], Heads = heads,
                    Layers = CountUnder("vision_encoder.layers."), Dropouts = none, SharedProjectionBug = true, ReleasedPositionOrder = true,
                };
                return [new SequenceTransformer([new ModalityInfo("vision", [-1, projection[1]]), new ModalityInfo("text", [-1, projection[1]])], options)];
            }
            case ReleasedModelFamily.ClassifierGuided:
            {
                int m = Count(ClassifierIndex());
                if (m < 1) Shape("classifers.0.out_layer.weight");
                var output = Shape("classifers.0.out_layer.weight");
                int layers = CountUnder("classifers.0.bone.layers.");
                return Enumerable.Range(0, m).Select(_ => (nn.Module)new TransformerModalityClassifier(output[1], heads, layers, output[0], none, repeatProjection: true, releasedPositionOrder: true)).ToArray();
            }
            case ReleasedModelFamily.DeepLabMultiInput:
            {
                int m = Count(Backbone());
                if (m < 1) Shape("backbone1.conv1.weight");
                var stem = Shape("backbone1.conv1.weight");
                int layer3 = CountUnder("backbone1.layer3.");
                var options = new BratsDeepLabOptions
                {
                    Depth = layer3 switch { 23 => ResNetDepth.ResNet101, 6 => ResNetDepth.ResNet50, _ => throw new CheckpointException(source, $"'{source}': backbone1.layer3 has {layer3} blocks; ResNet-101 has 23, ResNet-50 6.") },
                    BaseWidth = (int)stem[0], AsppChannels = (int)Shape("aspp1.aspp1.atrous_conv.weight")[0],
                    LowLevelReduction = (int)Shape("decoder.conv1.weight")[0], DecoderChannels = (int)Shape("decoder.condconv1.weight")[0],
                    Classes = (int)Shape("decoder.last_conv.7.weight")[0], AsppDropout = 0, DecoderDropout = 0, DecoderFinalDropout = 0,
                };
                string[] names = m == 4 ? ["flair", "t1ce", "t1", "t2"] : Enumerable.Range(0, m).Select(i => $"modality{i}").ToArray();
                return [new BratsDeepLab(names.Select(n => new ModalityInfo(n, [stem[1], -1, -1])).ToArray(), options)];
            }
            case ReleasedModelFamily.SegClassifier:
            {
                int m = Count(SegDecoderIndex());
                if (m < 1) Shape("decoder1.conv1.weight");
                var low = Shape("decoder1.conv1.weight");          // [R, L, 1, 1]
                var conv = Shape("decoder1.condconv1.weight");     // [C, A + R, 3, 3]
                var last = Shape("decoder1.last_conv.7.weight");   // [K, C, 1, 1]
                return Enumerable.Range(0, m).Select(_ => (nn.Module)new SegModalityClassifier(conv[1] - low[0], low[1], low[0], conv[0], last[0], 0, 0)).ToArray();
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, null);
        }
    }

    [GeneratedRegex(@"^proj\.(\d+)\.weight$")] private static partial Regex MsaProjection();
    [GeneratedRegex(@"^classifers\.(\d+)\.")] private static partial Regex ClassifierIndex();
    [GeneratedRegex(@"^backbone(\d+)\.")] private static partial Regex Backbone();
    [GeneratedRegex(@"^decoder(\d+)\.")] private static partial Regex SegDecoderIndex();
}
