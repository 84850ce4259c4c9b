using System.Collections;
using Cggm.Data.Formats;
using TorchSharp;

namespace Cggm.Data;

/// <summary>
/// CMU-MOSI (Zadeh et al., IEEE Intelligent Systems 2016): sentiment regression in [−3, 3] from text, audio and vision
/// feature sequences, read as CGGM's <c>datasets/CMUDataset.py</c> reads it: one pickle
/// <c>{'train','valid','test'} → {'text','audio','vision','labels'}</c> (MulT's <c>mosi_data.pkl</c> word-aligned or
/// <c>mosi_data_noalign.pkl</c>), every array cast to float32, only <c>−inf</c> in audio set to 0 (NaN and +inf are left
/// as the released code leaves them), <c>labels</c> (N, 1, 1) → target [N]. MMSA's <c>aligned_50.pkl</c> /
/// <c>unaligned_50.pkl</c> have the same splits and feature keys (text = BERT features) but <c>regression_labels</c> (N,)
/// instead of <c>labels</c>; they map to the same samples. Modality order [text, audio, vision] as in the released code;
/// sequence lengths and widths come from the file. The whole file is held in memory (largest MOSI file: ~80 MB).
/// </summary>
public sealed class CmuMosi : IMultimodalDataset, IDisposable
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root.</summary>
    public const string DatasetName = "mosi";

    /// <summary>File names looked for when the root is a folder, in this order.</summary>
    public static IReadOnlyList<string> KnownFiles { get; } = ["mosi_data.pkl", "mosi_data_noalign.pkl", "aligned_50.pkl", "unaligned_50.pkl"];

    private static readonly string[] SplitKeys = ["train", "valid", "test"];
    private static readonly string[] ModalityKeys = ["text", "audio", "vision"];
    private readonly InMemorySplit[] _splits;

    private CmuMosi(string path, string format, InMemorySplit[] splits, ModalityInfo[] modalities)
    {
        FilePath = path;
        Format = format;
        _splits = splits;
        Modalities = modalities;
    }

    /// <summary>The pickle that was read.</summary>
    public string FilePath { get; }

    /// <summary>"MulT" (key <c>labels</c>) or "MMSA" (key <c>regression_labels</c>).</summary>
    public string Format { get; }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Regression();

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>The split as in-memory tensors.</summary>
    public InMemorySplit Get(Split split) => _splits[(int)split];

    /// <summary>The pickle to read under <paramref name="root"/>: the file itself, or the single known file in the folder.</summary>
    public static string Resolve(string root)
    {
        if (File.Exists(root)) return root;
        if (!Directory.Exists(root)) throw new DatasetFileException(DataProblem.Missing, root, "no such file or folder", $"a MOSI pickle or a folder holding one of {string.Join(", ", KnownFiles)}", DataScripts.Mosi);
        var found = KnownFiles.Select(f => Path.Combine(root, f)).Where(File.Exists).ToArray();
        return found.Length switch
        {
            1 => found[0],
            0 => throw new DatasetFileException(DataProblem.Missing, root, "no MOSI pickle in the folder", $"one of {string.Join(", ", KnownFiles)}", DataScripts.Mosi),
            _ => throw new DatasetFileException(DataProblem.WrongKey, root, $"several MOSI pickles ({string.Join(", ", found.Select(Path.GetFileName))})",
                "one; pass the file itself as the root (e.g. --root " + found[0] + ")", DataScripts.Mosi),
        };
    }

    /// <summary>Loads the pickle at <paramref name="root"/> (a file, or a folder with one known file).</summary>
    public static CmuMosi Load(string root) => DatasetFileException.Guard(DataScripts.Mosi, () =>
    {
        var path = Resolve(root);
        var pickle = NumpyPickle.Load(path);
        var firstSplit = NumpyPickle.Get(pickle, "train", path, "");
        var format = firstSplit is Hashtable t && !t.ContainsKey("labels") && t.ContainsKey("regression_labels") ? "MMSA" : "MulT";
        var labelKey = format == "MulT" ? "labels" : "regression_labels";
        long[][]? shapes = null;
        var splits = new InMemorySplit[3];
        try
        {
            for (int s = 0; s < 3; s++)
            {
                var split = NumpyPickle.Get(pickle, SplitKeys[s], path, "");
                var where = $"['{SplitKeys[s]}']";
                var arrays = ModalityKeys.Select(k => NumpyPickle.GetArray(split, k, path, where).RequireShape($"{where}['{k}'] as (N, T, D)", -1, -1, -1)).ToArray();
                var labels = NumpyPickle.GetArray(split, labelKey, path, where);
                if (format == "MulT") labels.RequireShape($"{where}['labels'] of shape (N, 1, 1) (CGGM reads labels.shape[1], labels.shape[2] and predicts one value)", -1, 1, 1);
                else labels.RequireShape($"{where}['regression_labels'] of shape (N,)", -1);
                long n = labels.Shape[0];
                foreach (var a in arrays)
                    if (a.Shape[0] != n) throw new DatasetFileException(DataProblem.WrongShape, path, $"{a.Source} has {a.Shape[0]} samples but {labelKey} has {n}", "one row per sample in every array", DataScripts.Mosi);
                var sampleShapes = arrays.Select(a => a.Shape[1..]).ToArray();
                if (shapes is null) shapes = sampleShapes;
                else
                    for (int m = 0; m < 3; m++)
                        if (!shapes[m].SequenceEqual(sampleShapes[m]))
                            throw new DatasetFileException(DataProblem.WrongShape, path, $"{where}['{ModalityKeys[m]}'] has samples of shape ({string.Join(", ", sampleShapes[m])}) but train has ({string.Join(", ", shapes[m])})", "the same (T, D) in every split");
                var values = arrays.Select(a => a.ToFloat32()).ToArray();
                ZeroNegativeInfinity(values[1]);
                var tensors = Enumerable.Range(0, 3).Select(m => torch.tensor(values[m], [n, .. sampleShapes[m]])).ToArray();
                var ids = SampleIds(split, n);
                splits[s] = new InMemorySplit(tensors, torch.tensor(labels.ToFloat32(), [n]),
                    (i, m) => new SampleOrigin(path, $"{where}['{(m is { } k ? ModalityKeys[k] : labelKey)}'][{i}]", ids?[i] ?? $"#{i}"));
            }
        }
        catch
        {
            foreach (var s in splits) s?.Dispose();
            throw;
        }
        var modalities = Enumerable.Range(0, 3).Select(m => new ModalityInfo(ModalityKeys[m], shapes![m])).ToArray();
        return new CmuMosi(path, format, splits, modalities);
    });

    /// <summary>The split's sample ids from its <c>id</c> array (MulT: (N, 3) bytes, video id and segment; MMSA: (N,) str), or null.</summary>
    private static string[]? SampleIds(object? split, long n)
    {
        try
        {
            if (n == 0 || split is not Hashtable t || t["id"] is not NumpyArray ids || ids.Shape.Length == 0 || ids.Shape[0] != n) return null;
            var text = ids.ToStrings();
            int per = (int)(text.Length / n);
            return Enumerable.Range(0, (int)n).Select(i => string.Join("/", text.Skip(i * per).Take(per).Where(x => x.Length > 0))).ToArray();
        }
        catch (DatasetFileException) { return null; }   // ids are only for messages
    }

    /// <summary>CGGM's <c>audio[audio == -np.inf] = 0</c>: only −inf, NaN and +inf stay.</summary>
    internal static void ZeroNegativeInfinity(float[] audio)
    {
        for (int i = 0; i < audio.Length; i++)
            if (float.IsNegativeInfinity(audio[i])) audio[i] = 0;
    }

    /// <inheritdoc />
    public void Dispose() { foreach (var s in _splits) s.Dispose(); }
}
