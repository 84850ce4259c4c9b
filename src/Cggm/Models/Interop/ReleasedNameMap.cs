using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Interop;

/// <summary>The released PyTorch classes (github.com/zrguo/CGGM @21e428c) whose state dicts <see cref="ReleasedNameMap"/> translates.</summary>
public enum ReleasedModelFamily
{
    /// <summary><c>models/msamodel.py</c> <c>MSAModel</c> (CMU-MOSI, IEMOCAP) ↔ <see cref="SequenceTransformer"/>.</summary>
    MsaModel,

    /// <summary><c>models/foodmodel.py</c> <c>FoodModel</c> (UPMC-Food 101) ↔ <see cref="SequenceTransformer"/> (Food101 options).</summary>
    FoodModel,

    /// <summary><c>models/msamodel.py</c> <c>ClassifierGuided</c> (MSA and Food classifiers) ↔ one <see cref="TransformerModalityClassifier"/> per modality.</summary>
    ClassifierGuided,

    /// <summary><c>models/segmodel.py</c> <c>DeepLabMultiInput</c> (BraTS) ↔ <see cref="BratsDeepLab"/>.</summary>
    DeepLabMultiInput,

    /// <summary><c>models/segmodel.py</c> <c>SegClassifier</c> (BraTS classifiers) ↔ one <see cref="SegModalityClassifier"/> per modality.</summary>
    SegClassifier,
}

/// <summary>What an entry of a released state dict is to the C# model.</summary>
public enum ReleasedEntryKind
{
    /// <summary>A parameter or buffer of the C# model, under another name.</summary>
    Mapped,

    /// <summary>
    /// A released tensor the C# model holds under another released name too: with the Food shared-projection bug, <c>projt.*</c>
    /// is never used by the released forward, and the C# model has one projection; importing checks its shape and ignores it,
    /// exporting writes the shared projection (<c>projv</c>) there.
    /// </summary>
    Alias,

    /// <summary>
    /// A released buffer the C# model has no use for: <c>version</c> (= 2) and <c>embed_positions._float_tensor</c> (dtype carrier,
    /// uninitialised in the released code) of each transformer encoder. Importing checks the shape; exporting writes 2 and 0.
    /// </summary>
    Constant,
}

/// <summary>One entry of a released state dict: its released name, what it is to the C# side, and the C# tensor (null for constants).</summary>
public sealed record ReleasedEntry(string Released, string? Ours, ReleasedEntryKind Kind, Tensor? Tensor, float ConstantValue = 0);

/// <summary>
/// The name map between a released state dict and C# modules, per <see cref="ReleasedModelFamily"/>. Built from the C# modules
/// (their <c>state_dict()</c> names, translated by string rules that docs/parity.md tabulates), it imports a released state
/// dict into the modules (every name present, every shape and dtype equal, nothing left over; otherwise a
/// <see cref="CheckpointException"/> naming the file and the tensors) and exports them under the released names, so that
/// <c>model.load_state_dict(torch.load(path))</c> (strict) works on the released class.
/// </summary>
public sealed partial class ReleasedNameMap
{
    private ReleasedNameMap(ReleasedModelFamily family, IReadOnlyList<ReleasedEntry> entries)
    {
        Family = family;
        Entries = entries;
    }

    /// <summary>The released class.</summary>
    public ReleasedModelFamily Family { get; }

    /// <summary>Every entry of the released state dict, in the C# modules' state-dict order (constants after their encoder).</summary>
    public IReadOnlyList<ReleasedEntry> Entries { get; }

    /// <summary><c>MSAModel</c> ↔ <paramref name="model"/>.</summary>
    public static ReleasedNameMap MsaModel(SequenceTransformer model) => Build(ReleasedModelFamily.MsaModel, [("", model)]);

    /// <summary><c>FoodModel</c> ↔ <paramref name="model"/> (with or without <see cref="TransformerModelOptions.SharedProjectionBug"/>).</summary>
    public static ReleasedNameMap FoodModel(SequenceTransformer model)
    {
        if (model.ModalityCount != 2) throw new ArgumentException($"FoodModel has two modalities (vision, text); this model has {model.ModalityCount}.", nameof(model));
        return Build(ReleasedModelFamily.FoodModel, [("", model)]);
    }

    /// <summary><c>ClassifierGuided</c> ↔ <paramref name="classifiers"/> (modality order).</summary>
    public static ReleasedNameMap ClassifierGuided(IReadOnlyList<TransformerModalityClassifier> classifiers) =>
        Build(ReleasedModelFamily.ClassifierGuided, classifiers.Select((c, i) => ($"{i}.", (nn.Module)c)).ToArray());

    /// <summary><c>DeepLabMultiInput</c> ↔ <paramref name="model"/>.</summary>
    public static ReleasedNameMap DeepLabMultiInput(BratsDeepLab model) => Build(ReleasedModelFamily.DeepLabMultiInput, [("", model)]);

    /// <summary><c>SegClassifier</c> ↔ <paramref name="classifiers"/> (modality order).</summary>
    public static ReleasedNameMap SegClassifier(IReadOnlyList<SegModalityClassifier> classifiers) =>
        Build(ReleasedModelFamily.SegClassifier, classifiers.Select((c, i) => ($"{i}.", (nn.Module)c)).ToArray());

    /// <summary>The map for <paramref name="family"/> over <paramref name="modules"/> (one model, or the classifiers in modality order).</summary>
    public static ReleasedNameMap For(ReleasedModelFamily family, IReadOnlyList<nn.Module> modules) => family switch
    {
        ReleasedModelFamily.MsaModel => MsaModel(Single<SequenceTransformer>(family, modules)),
        ReleasedModelFamily.FoodModel => FoodModel(Single<SequenceTransformer>(family, modules)),
        ReleasedModelFamily.DeepLabMultiInput => DeepLabMultiInput(Single<BratsDeepLab>(family, modules)),
        ReleasedModelFamily.ClassifierGuided => ClassifierGuided(modules.Select(m => m as TransformerModalityClassifier ?? throw Wrong(family, m)).ToArray()),
        ReleasedModelFamily.SegClassifier => SegClassifier(modules.Select(m => m as SegModalityClassifier ?? throw Wrong(family, m)).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    private static T Single<T>(ReleasedModelFamily family, IReadOnlyList<nn.Module> modules) where T : nn.Module =>
        modules.Count == 1 && modules[0] is T t ? t : throw new ArgumentException($"{family} maps to one {typeof(T).Name}; got {string.Join(", ", modules.Select(m => m.GetType().Name))}.");

    private static ArgumentException Wrong(ReleasedModelFamily family, nn.Module m) => new($"{family} does not map a {m.GetType().Name}.");

    /// <summary>
    /// The released name of the C# state-dict entry <paramref name="ours"/> (classifier lists prefix each classifier's names with
    /// its index: <c>"0.bone.…"</c>); throws when no rule covers it.
    /// </summary>
    public static string ToReleased(ReleasedModelFamily family, string ours)
    {
        string? released = family switch
        {
            ReleasedModelFamily.MsaModel => Match(ours, EncoderProjection, m => $"proj.{m.Groups[1].Value}.{m.Groups[2].Value}")
                ?? Match(ours, EncoderTransformer, m => $"encoders.{m.Groups[1].Value}.{Transformer(m.Groups[2].Value)}")
                ?? SequenceFusionAndHead(ours),
            ReleasedModelFamily.FoodModel => Match(ours, EncoderProjection, m => $"{(m.Groups[1].Value == "0" ? "projv" : "projt")}.{m.Groups[2].Value}")
                ?? Match(ours, EncoderTransformer, m => $"{(m.Groups[1].Value == "0" ? "vision_encoder" : "text_encoder")}.{Transformer(m.Groups[2].Value)}")
                ?? SequenceFusionAndHead(ours),
            ReleasedModelFamily.ClassifierGuided => Match(ours, ClassifierBone, m => $"classifers.{m.Groups[1].Value}.bone.{Transformer(m.Groups[2].Value)}")
                ?? Match(ours, ClassifierLinear, m => $"classifers.{m.Groups[1].Value}.{(m.Groups[2].Value == "outLayer" ? "out_layer" : "proj1")}.{m.Groups[3].Value}"),
            ReleasedModelFamily.DeepLabMultiInput => Match(ours, DeepLabBackbone, m => $"backbone{int.Parse(m.Groups[1].Value) + 1}.{m.Groups[2].Value}")
                ?? Match(ours, DeepLabAspp, m => $"aspp{int.Parse(m.Groups[1].Value) + 1}.{Aspp(m.Groups[2].Value)}")
                ?? Match(ours, DeepLabFusion, m => $"decoder.{Decoder(m.Groups[1].Value)}")
                ?? Match(ours, DeepLabHead, m => $"decoder.last_conv.7.{m.Groups[1].Value}"),
            ReleasedModelFamily.SegClassifier => Match(ours, SegDecoder, m => $"decoder{int.Parse(m.Groups[1].Value) + 1}.{Decoder(m.Groups[2].Value)}")
                ?? Match(ours, SegHead, m => $"decoder{int.Parse(m.Groups[1].Value) + 1}.last_conv.7.{m.Groups[2].Value}"),
            _ => null,
        };
        return released is null || released.Contains('\0')
            ? throw new InvalidOperationException($"No {family} name for the C# state-dict entry '{ours}'.")
            : released;
    }

    // ── the rules (docs/parity.md, "Name maps") ──
    [GeneratedRegex(@"^encoders\.(\d+)\.projection\.(weight|bias)$")] private static partial Regex EncoderProjection { get; }
    [GeneratedRegex(@"^encoders\.(\d+)\.transformer\.(.+)$")] private static partial Regex EncoderTransformer { get; }
    [GeneratedRegex(@"^fusion\.transformer\.(.+)$")] private static partial Regex SequenceFusion { get; }
    [GeneratedRegex(@"^head\.(proj1|proj2|outLayer)\.(weight|bias)$")] private static partial Regex ResidualHead { get; }
    [GeneratedRegex(@"^(\d+)\.bone\.(.+)$")] private static partial Regex ClassifierBone { get; }
    [GeneratedRegex(@"^(\d+)\.(proj1|outLayer)\.(weight|bias)$")] private static partial Regex ClassifierLinear { get; }
    [GeneratedRegex(@"^layers\.(\d+)\.(attentionNorm|feedForwardNorm|fc1|fc2|selfAttention\.outProj)\.(weight|bias)$")] private static partial Regex LayerPart { get; }
    [GeneratedRegex(@"^layers\.(\d+)\.selfAttention\.(inProjWeight|inProjBias)$")] private static partial Regex LayerInProjection { get; }
    [GeneratedRegex(@"^finalNorm\.(weight|bias)$")] private static partial Regex FinalNorm { get; }
    [GeneratedRegex(@"^encoders\.(\d+)\.backbone\.(.+)$")] private static partial Regex DeepLabBackbone { get; }
    [GeneratedRegex(@"^encoders\.(\d+)\.aspp\.(.+)$")] private static partial Regex DeepLabAspp { get; }
    [GeneratedRegex(@"^fusion\.(.+)$")] private static partial Regex DeepLabFusion { get; }
    [GeneratedRegex(@"^head\.classifier\.(weight|bias)$")] private static partial Regex DeepLabHead { get; }
    [GeneratedRegex(@"^(\d+)\.decoder\.(.+)$")] private static partial Regex SegDecoder { get; }
    [GeneratedRegex(@"^(\d+)\.head\.classifier\.(weight|bias)$")] private static partial Regex SegHead { get; }
    [GeneratedRegex(@"^branch([1-4])\.(conv|bn)\.(.+)$")] private static partial Regex AsppBranch { get; }
    [GeneratedRegex(@"^(imagePooling\.conv|imagePooling\.bn|projectBn|project)\.(.+)$")] private static partial Regex AsppRest { get; }
    [GeneratedRegex(@"^(lowLevelConv|lowLevelBn|conv1|bn1|conv2|bn2)\.(.+)$")] private static partial Regex DecoderPart { get; }

    private static string? Match(string name, Regex rule, Func<System.Text.RegularExpressions.Match, string> map)
    {
        var m = rule.Match(name);
        return m.Success ? map(m) : null;
    }

    private static string? SequenceFusionAndHead(string ours) =>
        Match(ours, SequenceFusion, m => $"fusion.{Transformer(m.Groups[1].Value)}")
        ?? Match(ours, ResidualHead, m => $"{(m.Groups[1].Value == "outLayer" ? "out_layer" : m.Groups[1].Value)}.{m.Groups[2].Value}");

    /// <summary>Inside a <c>modules/transformer.py</c> <c>TransformerEncoder</c>.</summary>
    private static string Transformer(string ours) =>
        Match(ours, LayerPart, m => $"layers.{m.Groups[1].Value}.{m.Groups[2].Value switch
        {
            "attentionNorm" => "layer_norms.0",
            "feedForwardNorm" => "layer_norms.1",
            "selfAttention.outProj" => "self_attn.out_proj",
            var fc => fc,
        }}.{m.Groups[3].Value}")
        ?? Match(ours, LayerInProjection, m => $"layers.{m.Groups[1].Value}.self_attn.{(m.Groups[2].Value == "inProjWeight" ? "in_proj_weight" : "in_proj_bias")}")
        ?? Match(ours, FinalNorm, m => $"layer_norm.{m.Groups[1].Value}")
        ?? "\0";

    /// <summary>Inside <c>models/segmodel.py</c> <c>ASPP</c>.</summary>
    private static string Aspp(string ours) =>
        Match(ours, AsppBranch, m => $"aspp{m.Groups[1].Value}.{(m.Groups[2].Value == "conv" ? "atrous_conv" : "bn")}.{m.Groups[3].Value}")
        ?? Match(ours, AsppRest, m => $"{m.Groups[1].Value switch
        {
            "imagePooling.conv" => "global_avg_pool.1",
            "imagePooling.bn" => "global_avg_pool.2",
            "project" => "conv1",
            _ => "bn1",
        }}.{m.Groups[2].Value}")
        ?? "\0";

    /// <summary>Inside <c>models/segmodel.py</c> <c>Decoder</c> (its last conv, <c>last_conv.7</c>, is the C# head).</summary>
    private static string Decoder(string ours) =>
        Match(ours, DecoderPart, m => $"{m.Groups[1].Value switch
        {
            "lowLevelConv" => "conv1",
            "lowLevelBn" => "bn1",
            "conv1" => "condconv1",
            "bn1" => "last_conv.0",
            "conv2" => "last_conv.3",
            _ => "last_conv.4",
        }}.{m.Groups[2].Value}")
        ?? "\0";

    private static ReleasedNameMap Build(ReleasedModelFamily family, IReadOnlyList<(string Prefix, nn.Module Module)> modules)
    {
        var all = modules.SelectMany(m => m.Module.state_dict().Select(kv => (Ours: m.Prefix + kv.Key, Tensor: kv.Value))).ToList();
        // A tensor registered twice (the Food shared projection) is mapped once, under its first C# name in ordinal order
        // (encoders.0 = projv); its other released name is an alias.
        var owner = all.GroupBy(x => x.Tensor, ReferenceEqualityComparer.Instance).ToDictionary(g => g.Key!, g => g.Select(x => x.Ours).Min(StringComparer.Ordinal)!, ReferenceEqualityComparer.Instance);
        var entries = new List<ReleasedEntry>();
        var encoders = new List<string>();
        foreach (var (ours, tensor) in all)
        {
            var released = ToReleased(family, ours);
            var kind = owner[tensor] == ours ? ReleasedEntryKind.Mapped : ReleasedEntryKind.Alias;
            entries.Add(new ReleasedEntry(released, ours, kind, tensor));
            // Each released TransformerEncoder also carries two buffers the C# encoder has no use for.
            var encoder = TransformerPrefix(released);
            if (encoder is not null && !encoders.Contains(encoder)) encoders.Add(encoder);
        }
        foreach (var encoder in encoders)
        {
            entries.Add(new ReleasedEntry(encoder + "version", null, ReleasedEntryKind.Constant, null, 2));
            entries.Add(new ReleasedEntry(encoder + "embed_positions._float_tensor", null, ReleasedEntryKind.Constant, null, 0));
        }
        return new ReleasedNameMap(family, entries);
    }

    /// <summary>The released prefix of the TransformerEncoder a released name lies in (<c>"encoders.0."</c>, <c>"classifers.1.bone."</c>), or null.</summary>
    private static string? TransformerPrefix(string released)
    {
        int at = released.IndexOf(".layers.", StringComparison.Ordinal);
        if (at < 0) at = released.IndexOf(".layer_norm.", StringComparison.Ordinal);
        if (at < 0 || released.StartsWith("backbone", StringComparison.Ordinal)) return null;
        return released[..(at + 1)];
    }

    /// <summary>Reads <paramref name="path"/> (a released state dict, <c>.pt</c>/<c>.pth</c> or <c>.safetensors</c>) into the C# modules.</summary>
    public void Load(string path)
    {
        var file = PyTorchStateDict.Read(path);
        try { Load(file, path); }
        finally { foreach (var t in file.Values) t.Dispose(); }
    }

    /// <summary>
    /// Copies <paramref name="stateDict"/> (released names) into the C# modules after checking that every released entry is
    /// there with its shape and dtype and that nothing else is; <paramref name="source"/> names the file in errors.
    /// </summary>
    public void Load(IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var problems = new List<string>();
        foreach (var e in Entries)
        {
            if (!stateDict.TryGetValue(e.Released, out var found)) { problems.Add($"missing tensor '{e.Released}'" + (e.Ours is null ? "" : $" (C# '{e.Ours}')")); continue; }
            long[] want = e.Tensor?.shape ?? [1];
            var wantType = e.Tensor?.dtype ?? ScalarType.Float32;
            if (!SameShape(want, found.shape) || found.dtype != wantType)
                problems.Add($"tensor '{e.Released}' is {Describe(found.shape, found.dtype)} but the {Family} entry" + (e.Ours is null ? "" : $" (C# '{e.Ours}')") + $" expects {Describe(want, wantType)}");
        }
        var known = Entries.Select(e => e.Released).ToHashSet();
        problems.AddRange(stateDict.Keys.Where(k => !known.Contains(k)).Select(k => $"unexpected tensor '{k}' {Describe(stateDict[k].shape, stateDict[k].dtype)}, which the {Family} state dict does not have"));
        if (problems.Count > 0)
            throw new CheckpointException(source, $"'{source}' does not fit the {Family} of this model ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  " +
                                                  string.Join("\n  ", problems.Take(20)) + (problems.Count > 20 ? $"\n  … and {problems.Count - 20} more" : ""));
        using var _ = no_grad();
        foreach (var e in Entries.Where(e => e.Kind == ReleasedEntryKind.Mapped))
            e.Tensor!.copy_(stateDict[e.Released].reshape(e.Tensor.shape));
    }

    /// <summary>The C# modules' tensors under the released names, with the released-only buffers, in state-dict order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> ToStateDict() =>
        Entries.Select(e => new KeyValuePair<string, Tensor>(e.Released, e.Tensor?.detach() ?? torch.full(1, e.ConstantValue)));

    /// <summary>Writes the C# modules as the released class's state dict (<c>.pt</c>/<c>.pth</c> for torch.load, or <c>.safetensors</c>).</summary>
    public void Save(string path) => PyTorchStateDict.Write(path, ToStateDict());

    /// <summary>Equal shapes; a 0-d and a 1-element 1-d tensor count as equal (PyTorch's load_state_dict accepts either for a scalar buffer).</summary>
    private static bool SameShape(long[] a, long[] b) =>
        a.SequenceEqual(b) || (a.Length <= 1 && b.Length <= 1 && a.Aggregate(1L, (x, y) => x * y) == 1 && b.Aggregate(1L, (x, y) => x * y) == 1);

    private static string Describe(long[] shape, ScalarType dtype) => $"[{string.Join(", ", shape)}] {dtype}";
}
