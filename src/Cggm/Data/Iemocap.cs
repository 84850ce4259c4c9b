using Cggm.Data.Formats;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>Settings of <see cref="Iemocap"/>.</summary>
public sealed record IemocapOptions
{
    /// <summary>Cross-validation fold 1–10 of MMIN's protocol (CGGM uses 1).</summary>
    public int Fold { get; init; } = 1;

    /// <summary>Audio frames after padding (the released collate pads to exactly 350; longer utterances are truncated here).</summary>
    public int AudioFrames { get; init; } = 350;

    /// <summary>Receives notes such as the number of truncated utterances.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// IEMOCAP (Busso et al., 2008) as CGGM reads it (<c>datasets/IEMODataset.py</c>, from MMIN, Zhao et al. ACL 2021): four
/// emotions from the MMIN feature release
/// <code>
/// A/comparE.h5             utterance id → (T_a, 130) ComParE LLDs (float64)
/// A/comparE_mean_std.h5    "1".."10" → mean (130,), std (130,)
/// V/denseface.h5           utterance id → (50, 342)
/// L/bert_large.h5          utterance id → (22, 1024)
/// target/&lt;fold&gt;/{trn,val,tst}_label.npy     one-hot (N, 4) → class = argmax
/// target/&lt;fold&gt;/{trn,val,tst}_int2name.npy   (N, 1) '|S' utterance ids
/// </code>
/// Audio is normalised with the fold's training mean/std, <c>(A − mean)/std</c> in float32, then zero-padded to
/// <see cref="IemocapOptions.AudioFrames"/> frames (the released collate crashes on longer utterances; here they are
/// truncated, counted in <see cref="TruncatedUtterances"/> and logged). Text and vision are zero-padded to the longest
/// utterance in the files (all equal in the release, so this equals the released per-batch <c>pad_sequence</c>).
/// Modality order [text, audio, vision]. Lazy: the HDF5 files stay open and each batch reads only its utterances, so
/// memory holds one batch (text and vision alone are ≈0.9 GB as float32 for MMIN's ≈5.5k utterances).
/// </summary>
public sealed class Iemocap : IMultimodalDataset, IDisposable
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root.</summary>
    public const string DatasetName = "iemocap";

    private static readonly string[] SplitFiles = ["trn", "val", "tst"];
    private readonly Hdf5File _audio, _vision, _text;
    private readonly LazySplit[] _splits;
    private readonly float[] _mean, _std;

    private Iemocap(string root, IemocapOptions options, Hdf5File audio, Hdf5File vision, Hdf5File text, float[] mean, float[] std,
        (string[] Ids, long[] Labels)[] splits, long textLength, long textDim, long audioDim, long visionLength, long visionDim, int truncated)
    {
        Root = root;
        Options = options;
        _audio = audio;
        _vision = vision;
        _text = text;
        _mean = mean;
        _std = std;
        TruncatedUtterances = truncated;
        Modalities = [new("text", [textLength, textDim]), new("audio", [options.AudioFrames, audioDim]), new("vision", [visionLength, visionDim])];
        _splits = splits.Select((s, k) => new LazySplit(s.Ids.Length, Modalities.Select(m => m.Shape), [], ScalarType.Int64,
            i => ReadSample(s.Ids[i], s.Labels[i]), origin: (i, m) => Origin(k, s.Ids[i], i, m))).ToArray();
        Ids = splits.Select(s => (IReadOnlyList<string>)s.Ids).ToArray();
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>The settings used.</summary>
    public IemocapOptions Options { get; }

    /// <summary>Utterances (all splits) longer than <see cref="IemocapOptions.AudioFrames"/>, truncated when read.</summary>
    public int TruncatedUtterances { get; }

    /// <summary>Utterance ids per split (train, valid, test).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Ids { get; }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Classification(4);

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>One split with per-sample access.</summary>
    public LazySplit Get(Split split) => _splits[(int)split];

    /// <summary>Opens the MMIN layout under <paramref name="root"/> and checks every file, id and shape.</summary>
    public static Iemocap Open(string root, IemocapOptions? options = null) => DatasetFileException.Guard(DataScripts.Iemocap, () =>
    {
        options ??= new IemocapOptions();
        if (options.Fold is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(options), options.Fold, "IEMOCAP folds are 1–10 (MMIN's 10-fold protocol; CGGM uses 1).");
        if (options.AudioFrames < 1) throw new ArgumentOutOfRangeException(nameof(options), options.AudioFrames, "AudioFrames must be at least 1.");
        if (!Directory.Exists(root)) throw new DatasetFileException(DataProblem.Missing, root, "no such folder", "the MMIN IEMOCAP feature folder with A/, V/, L/ and target/");
        var splits = SplitFiles.Select(s => ReadTargets(root, options.Fold, s)).ToArray();
        var files = new List<Hdf5File>();
        try
        {
            var audio = Open(files, Path.Combine(root, "A", "comparE.h5"));
            var vision = Open(files, Path.Combine(root, "V", "denseface.h5"));
            var text = Open(files, Path.Combine(root, "L", "bert_large.h5"));
            float[] mean, std;
            var meanStdPath = Path.Combine(root, "A", "comparE_mean_std.h5");
            using (var ms = Hdf5File.Open(meanStdPath))
            {
                mean = ms.ReadFloat32($"{options.Fold}/mean");
                std = ms.ReadFloat32($"{options.Fold}/std");
            }
            GuardStd(meanStdPath, options, mean, std);
            var ids = splits.SelectMany(s => s.Ids).ToArray();
            var (aLen, aDim) = Scan(audio, ids, "ComParE audio");
            var (vLen, vDim) = Scan(vision, ids, "Denseface vision");
            var (tLen, tDim) = Scan(text, ids, "BERT-large text");
            if (mean.Length != aDim || std.Length != aDim)
                throw new DatasetFileException(DataProblem.WrongShape, Path.Combine(root, "A", "comparE_mean_std.h5"), $"fold {options.Fold} mean/std have {mean.Length}/{std.Length} values", $"{aDim} (the audio feature width)");
            int truncated = ids.Distinct().Count(id => audio.Dimensions(id)[0] > options.AudioFrames);
            if (truncated > 0)
                options.Log?.Invoke($"IEMOCAP: {truncated} utterance(s) have more than {options.AudioFrames} audio frames and are truncated (the released collate would fail on them).");
            return new Iemocap(root, options, audio, vision, text, mean, std, splits, tLen.Max(), tDim, aDim, vLen.Max(), vDim, truncated);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    });

    /// <summary>
    /// The zero-std guard: a feature with std 0 in the fold's training statistics (a constant ComParE descriptor, legitimate
    /// in MMIN-style <c>mean_std</c> files) would make <c>(A − mean)/std</c> infinite or NaN and train to a NaN loss at step 0;
    /// its std is taken as 1, so the feature is centred and not scaled (what MMIN does when it writes the file), and the
    /// features are logged. A non-finite or negative mean/std is an error.
    /// </summary>
    private static void GuardStd(string path, IemocapOptions options, float[] mean, float[] std)
    {
        for (int i = 0; i < std.Length; i++)
        {
            if (!float.IsFinite(mean[i]) || !float.IsFinite(std[i]) || std[i] < 0)
                throw new DatasetFileException(DataProblem.Corrupt, path, $"fold {options.Fold} feature {i} has mean {mean[i]} and std {std[i]}",
                    "finite means and finite, non-negative standard deviations (std 0 is accepted: that feature is only centred)");
        }
        var zero = Enumerable.Range(0, std.Length).Where(i => std[i] == 0).ToArray();
        foreach (var i in zero) std[i] = 1;
        if (zero.Length > 0)
            options.Log?.Invoke($"IEMOCAP: {path} fold {options.Fold}: std is 0 for {zero.Length} of {std.Length} audio features ({string.Join(", ", zero.Take(10))}{(zero.Length > 10 ? ", …" : "")}); " +
                                "they are centred and not scaled (std taken as 1, as MMIN does when it writes the file).");
    }

    private SampleOrigin Origin(int split, string id, int index, int? modality) => modality switch
    {
        0 => new(_text.Path, $"dataset '{id}'", id),
        1 => new(_audio.Path, $"dataset '{id}'", id),
        2 => new(_vision.Path, $"dataset '{id}'", id),
        _ => new(Path.Combine(Root, "target", Options.Fold.ToString(), $"{SplitFiles[split]}_label.npy"), $"row {index}", id),
    };

    private static Hdf5File Open(List<Hdf5File> opened, string path)
    {
        var file = Hdf5File.Open(path);
        opened.Add(file);
        return file;
    }

    private static (string[] Ids, long[] Labels) ReadTargets(string root, int fold, string split)
    {
        var labelPath = Path.Combine(root, "target", fold.ToString(), $"{split}_label.npy");
        var namePath = Path.Combine(root, "target", fold.ToString(), $"{split}_int2name.npy");
        var onehot = NpyFile.Read(labelPath).RequireShape("one-hot labels of shape (N, 4)", -1, 4);
        var names = NpyFile.Read(namePath);
        if (names.DType.Kind != 'S') throw new DatasetFileException(DataProblem.WrongDtype, namePath, $"dtype '{names.DType}'", "utterance ids as bytes ('|S'), shape (N, 1)");
        names.RequireShape("utterance ids of shape (N, 1)", -1, 1);
        if (names.Shape[0] != onehot.Shape[0])
            throw new DatasetFileException(DataProblem.WrongShape, Path.GetDirectoryName(labelPath)!,
                $"{split}_label.npy has {onehot.Shape[0]} labels but {split}_int2name.npy has {names.Shape[0]} utterance ids",
                $"the same number of rows in both files of split '{split}' (row i of {split}_label.npy is the label of the utterance in row i of {split}_int2name.npy); " +
                "one of the two files is from another fold or version of the feature set");
        var values = onehot.ToFloat64();
        var labels = new long[onehot.Shape[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;   // np.argmax: first maximum
            for (int c = 1; c < 4; c++) if (values[i * 4 + c] > values[i * 4 + best]) best = c;
            labels[i] = best;
        }
        return (names.ToStrings(), labels);
    }

    private static (long[] Lengths, long Dim) Scan(Hdf5File file, string[] ids, string what)
    {
        var lengths = new long[ids.Length];
        long dim = -1;
        for (int i = 0; i < ids.Length; i++)
        {
            if (!file.Contains(ids[i]))
                throw new DatasetFileException(DataProblem.WrongKey, file.Path, $"no {what} features for utterance '{ids[i]}'", "a dataset for every id in target/<fold>/*_int2name.npy");
            var dims = file.Dimensions(ids[i]);
            if (dims.Length != 2 || (dim >= 0 && dims[1] != dim))
                throw new DatasetFileException(DataProblem.WrongShape, file.Path, $"'{ids[i]}' has shape ({string.Join(", ", dims)})", dim < 0 ? "(T, D)" : $"(T, {dim})");
            dim = dims[1];
            lengths[i] = dims[0];
        }
        return (lengths, dim);
    }

    private Sample ReadSample(string id, long label)
    {
        var text = Pad(_text.ReadFloat32(id), _text.Dimensions(id)[0], Modalities[0].Shape);
        var rawAudio = _audio.ReadFloat32(id);
        long d = Modalities[1].Shape[1];
        for (int i = 0; i < rawAudio.Length; i++) rawAudio[i] = (rawAudio[i] - _mean[i % d]) / _std[i % d];
        var audio = Pad(rawAudio, rawAudio.Length / d, Modalities[1].Shape);
        var vision = Pad(_vision.ReadFloat32(id), _vision.Dimensions(id)[0], Modalities[2].Shape);
        return new Sample([text, audio, vision], [label]);
    }

    /// <summary>Zero-pads (or truncates) a (T, D) sequence to the (T', D) of <paramref name="shape"/>.</summary>
    private static float[] Pad(float[] values, long frames, long[] shape)
    {
        var result = new float[shape[0] * shape[1]];
        Array.Copy(values, result, Math.Min(frames, shape[0]) * shape[1]);
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _audio.Dispose();
        _vision.Dispose();
        _text.Dispose();
    }
}
