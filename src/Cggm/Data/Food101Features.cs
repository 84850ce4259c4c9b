using System.Text.Json;
using Cggm.Data.Formats;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>Settings of the Food-101 datasets.</summary>
public sealed record Food101Options
{
    /// <summary>Validation samples carved from train when the data has no validation split (see <see cref="ValidationSplit"/>).</summary>
    public int ValidCount { get; init; } = ValidationSplit.DefaultCount;

    /// <summary>Seed of the carve.</summary>
    public int ValidSeed { get; init; }

    /// <summary>Image side after resizing (raw images only; ViT-base/16 takes 224).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>BERT positions per text (raw texts only; CGGM's <c>TEXT_MAX_LENGTH</c> = 50).</summary>
    public int TextLength { get; init; } = 50;
}

/// <summary>
/// UPMC Food-101 as CGGM's model consumes it (<c>src/foodtrain.py</c>): the frozen extractors' token features,
/// image = ViT-base/16 <c>last_hidden_state</c> [197, 768] and text = BERT-base <c>last_hidden_state</c> [50, 768],
/// precomputed once by <c>data-scripts/food101/extract_features.py</c> (a GPU box with PyTorch and transformers) and
/// read here from disk, row by row (memory-mapped), so a training step holds only its batch. Modality order
/// [image, text], as <c>FoodModel.forward(v, t)</c>. On-disk format (folder <c>features/</c>):
/// <code>
/// index.json              {"format": "cggm-food101-features", "version": 1, "image_model", "text_model", "text_layout",
///                          "image_tokens", "text_tokens", "width", "dtype": "float16",
///                          "splits": {"train"|"valid"?|"test": {"count", "image", "text", "label", "id"}}}
/// &lt;split&gt;_image.npy      '&lt;f2' (N, 197, 768)      &lt;split&gt;_text.npy   '&lt;f2' (N, 50, 768)
/// &lt;split&gt;_label.npy      '&lt;i8' (N,) class index   &lt;split&gt;_id.npy     '|S' (N,) sample id
/// </code>
/// Deviation (documented): features are of un-augmented images; CGGM augments every epoch before the frozen ViT. Train
/// rows are stored in CGGM's order (the script applies <c>random.Random(0).shuffle</c> to the ids). Valid: the
/// index's own "valid" split if present, else a seeded carve from train (<see cref="ValidationSplit"/>), because the
/// released code validates on test.
/// </summary>
public sealed class Food101Features : IMultimodalDataset, IDisposable
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root (shared by <see cref="Food101Raw"/>).</summary>
    public const string DatasetName = "food101";

    private readonly List<NpyRows> _open = [];
    private readonly LazySplit[] _splits = new LazySplit[3];

    private Food101Features(string folder, JsonElement index, Food101Options options)
    {
        Folder = folder;
        try { (Modalities, CarvedValidation) = Build(index.GetProperty("splits"), options); }
        catch
        {
            Dispose();
            throw;
        }
    }

    private (ModalityInfo[] Modalities, bool Carved) Build(JsonElement splits, Food101Options options)
    {
        var train = OpenSplit(splits, "train");
        var test = OpenSplit(splits, "test");
        var valid = splits.TryGetProperty("valid", out _) ? OpenSplit(splits, "valid") : null;
        ModalityInfo[] modalities = [new("image", train.Image.RowShape), new("text", train.Text.RowShape)];
        foreach (var other in new[] { test }.Concat(valid is null ? [] : new[] { valid }))
            if (!other.Image.RowShape.SequenceEqual(train.Image.RowShape) || !other.Text.RowShape.SequenceEqual(train.Text.RowShape))
                throw new DatasetFileException(DataProblem.WrongShape, other.Image.Path, $"rows of ({string.Join(", ", other.Image.RowShape)}) / ({string.Join(", ", other.Text.RowShape)})",
                    $"the train shapes ({string.Join(", ", train.Image.RowShape)}) / ({string.Join(", ", train.Text.RowShape)})");
        int[] trainRows, validRows;
        if (valid is null) (trainRows, validRows) = ValidationSplit.Carve(train.Labels.Length, options.ValidSeed, options.ValidCount);
        else (trainRows, validRows) = (Enumerable.Range(0, train.Labels.Length).ToArray(), []);
        _splits[0] = Split(train, trainRows);
        _splits[1] = valid is null ? Split(train, validRows) : Split(valid, Enumerable.Range(0, valid.Labels.Length).ToArray());
        _splits[2] = Split(test, Enumerable.Range(0, test.Labels.Length).ToArray());
        return (modalities, valid is null);
    }

    /// <summary>The features folder.</summary>
    public string Folder { get; }

    /// <summary>True when the validation split was carved from train (the index has no "valid" split).</summary>
    public bool CarvedValidation { get; }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Classification(FoodIndex.Classes.Count);

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>One split with per-sample access.</summary>
    public LazySplit Get(Split split) => _splits[(int)split];

    /// <summary>The features folder under a Food-101 root: <c>root/features</c>, or <paramref name="root"/> itself.</summary>
    public static string? Find(string root) =>
        File.Exists(Path.Combine(root, "features", "index.json")) ? Path.Combine(root, "features")
        : File.Exists(Path.Combine(root, "index.json")) ? root : null;

    /// <summary>Opens the features under <paramref name="root"/> (see <see cref="Find"/>).</summary>
    public static Food101Features Open(string root, Food101Options? options = null) => DatasetFileException.Guard(DataScripts.Food101, () =>
    {
        var folder = Find(root) ?? throw new DatasetFileException(DataProblem.Missing, Path.Combine(root, "features", "index.json"), "no such file",
            "precomputed ViT/BERT token features (data-scripts/food101/extract_features.py)");
        var indexPath = Path.Combine(folder, "index.json");
        JsonElement index;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            index = doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new DatasetFileException(DataProblem.Corrupt, indexPath, $"invalid JSON ({e.Message})", "the index.json written by extract_features.py", inner: e); }
        if (!index.TryGetProperty("format", out var format) || format.GetString() != "cggm-food101-features" || !index.TryGetProperty("splits", out _))
            throw new DatasetFileException(DataProblem.WrongKey, indexPath, "no \"format\": \"cggm-food101-features\" or no \"splits\"", "the index.json written by extract_features.py");
        return new Food101Features(folder, index, options ?? new Food101Options());
    });

    private sealed record SplitFiles(NpyRows Image, NpyRows Text, long[] Labels, string LabelPath, string[]? Ids);

    private SplitFiles OpenSplit(JsonElement splits, string name)
    {
        var indexPath = Path.Combine(Folder, "index.json");
        if (!splits.TryGetProperty(name, out var s)) throw new DatasetFileException(DataProblem.WrongKey, indexPath, $"no split '{name}'", "splits train and test (valid optional)");
        string File_(string key) => s.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? Path.Combine(Folder, v.GetString()!)
            : throw new DatasetFileException(DataProblem.WrongKey, indexPath, $"split '{name}' has no \"{key}\" file", "image, text, label and id files per split");
        var image = NpyFile.OpenRows(File_("image"));
        _open.Add(image);
        var text = NpyFile.OpenRows(File_("text"));
        _open.Add(text);
        var labelArray = NpyFile.Read(File_("label")).RequireShape("class indices of shape (N,)", image.Rows);
        var labels = labelArray.ToInt64();
        if (text.Rows != image.Rows) throw new DatasetFileException(DataProblem.WrongShape, text.Path, $"{text.Rows} rows", $"{image.Rows} rows, like {Path.GetFileName(image.Path)}");
        if (image.RowShape.Length != 2 || text.RowShape.Length != 2)
            throw new DatasetFileException(DataProblem.WrongShape, image.Path, $"rows of ({string.Join(", ", image.RowShape)}) and ({string.Join(", ", text.RowShape)})", "token features (N, tokens, width)");
        if (Array.FindIndex(labels, l => l < 0 || l >= FoodIndex.Classes.Count) is >= 0 and var badRow)
            throw new DatasetFileException(DataProblem.WrongShape, labelArray.Source, $"row {badRow} holds class index {labels[badRow]}", "class indices 0–100 (CGGM's alphabetical class list)");
        string[]? ids = null;
        if (s.TryGetProperty("id", out var idFile) && idFile.ValueKind == JsonValueKind.String)
        {
            var idArray = NpyFile.Read(File_("id"));
            ids = idArray.Length == image.Rows ? idArray.ToStrings() : null;   // ids only name samples in messages
        }
        return new SplitFiles(image, text, labels, labelArray.Source, ids);
    }

    private LazySplit Split(SplitFiles s, int[] rows) =>
        new(rows.Length, [s.Image.RowShape, s.Text.RowShape], [], ScalarType.Int64, i =>
        {
            var image = new float[s.Image.RowLength];
            var text = new float[s.Text.RowLength];
            s.Image.ReadRow(rows[i], image);
            s.Text.ReadRow(rows[i], text);
            return new Sample([image, text], [s.Labels[rows[i]]]);
        }, origin: (i, m) => new SampleOrigin(m switch { 0 => s.Image.Path, 1 => s.Text.Path, _ => s.LabelPath }, $"row {rows[i]}", s.Ids?[rows[i]] ?? $"#{rows[i]}"));

    /// <inheritdoc />
    public void Dispose() { foreach (var f in _open) f.Dispose(); }
}
