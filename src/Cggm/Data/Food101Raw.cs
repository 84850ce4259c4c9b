using Cggm.Data.Text;
using SkiaSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>
/// UPMC Food-101 as raw pairs, the input of the frozen extractors: image = RGB decoded by content (some UPMC ".jpg"
/// files are other formats), resized to <see cref="Food101Options.ImageSize"/>² and scaled to [0, 1] with no mean/std
/// normalisation (CGGM's eval transform <c>Resize([224, 224]) → ToTensor()</c>; SkiaSharp's bilinear resize is not
/// PIL's antialiased one, so values differ slightly), shape [3, S, S]; text = the BERT inputs of
/// <see cref="BertWordPiece"/> as int64 [3, 50] (rows: input_ids, attention_mask, token_type_ids). Modality order
/// [image, text]. CGGM's training-time image augmentations are not applied here: the experiments train on
/// <see cref="Food101Features"/>, whose extraction script documents that choice. Reads each image when a batch asks.
/// </summary>
public sealed class Food101Raw : IMultimodalDataset
{
    private readonly LazySplit[] _splits;

    private Food101Raw(FoodIndex index, Food101Options options)
    {
        Index = index;
        Options = options;
        Modalities = [new("image", [3, options.ImageSize, options.ImageSize]), new("text", [3, options.TextLength])];
        IReadOnlyList<FoodItem> train = index.Train, valid;
        if (index.Dev is not null) valid = index.Dev;
        else
        {
            var (t, v) = ValidationSplit.Carve(index.Train.Count, options.ValidSeed, options.ValidCount);
            train = t.Select(i => index.Train[i]).ToArray();
            valid = v.Select(i => index.Train[i]).ToArray();
        }
        Items = [train, valid, index.Test];
        _splits = Items.Select(items => new LazySplit(items.Count, Modalities.Select(m => m.Shape), [], ScalarType.Int64,
            i => ReadSample(items[i]), [ScalarType.Float32, ScalarType.Int64], (i, m) => Origin(items[i], m))).ToArray();
    }

    /// <summary>The sample lists.</summary>
    public FoodIndex Index { get; }

    /// <summary>The settings used.</summary>
    public Food101Options Options { get; }

    /// <summary>The pairs of each split (train, valid, test).</summary>
    public IReadOnlyList<IReadOnlyList<FoodItem>> Items { get; }

    /// <inheritdoc />
    public string Name => Food101Features.DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Classification(FoodIndex.Classes.Count);

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>One split with per-sample access.</summary>
    public LazySplit Get(Split split) => _splits[(int)split];

    /// <summary>Opens the raw layout under <paramref name="root"/> (any of <see cref="FoodLayout"/>).</summary>
    public static Food101Raw Open(string root, Food101Options? options = null)
    {
        options ??= new Food101Options();
        if (options.ImageSize < 1 || options.TextLength < 2) throw new ArgumentOutOfRangeException(nameof(options), "ImageSize must be ≥ 1 and TextLength ≥ 2.");
        return new Food101Raw(FoodIndex.Load(root), options);
    }

    /// <summary>The image file for the image; the sample list's line or item for the text and the label.</summary>
    private static SampleOrigin Origin(FoodItem item, int? modality)
    {
        var listed = item.Source ?? new SampleOrigin("(sample list)", "", item.Id);
        return modality == 0 ? new SampleOrigin(item.ImagePath, $"(named by {Path.GetFileName(listed.File)} {listed.Location})", item.Id) : listed;
    }

    private Sample ReadSample(FoodItem item)
    {
        var (ids, mask, types) = BertWordPiece.Uncased.Encode(item.Text, Options.TextLength);
        var text = ids.Concat(mask).Concat(types).Select(v => (float)v).ToArray();
        return new Sample([DecodeImage(item.ImagePath, Options.ImageSize), text], [item.Label]);
    }

    /// <summary>Decodes an image file by content, drops alpha, resizes to size×size (bilinear) and returns [3, size, size] in [0, 1].</summary>
    public static float[] DecodeImage(string path, int size) => DatasetFileException.Guard(DataScripts.Food101, () =>
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such image", "the image the sample list names, under <root>/images/");
        // SKBitmap.Decode returns a partly grey image for a truncated file; the codec's result says so
        using var codec = SKCodec.Create(path)
            ?? throw new DatasetFileException(DataProblem.Corrupt, path, "not a decodable image", "a JPEG, PNG, GIF, BMP or WebP file");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(info);
        var decodedResult = codec.GetPixels(info, decoded.GetPixels());
        if (decodedResult == SKCodecResult.IncompleteInput)
            throw new DatasetFileException(DataProblem.Truncated, path, "the image data end early (an interrupted copy or download)", "a complete image file");
        if (decodedResult != SKCodecResult.Success)
            throw new DatasetFileException(DataProblem.Corrupt, path, $"the image cannot be decoded ({decodedResult})", "a JPEG, PNG, GIF, BMP or WebP file");
        using var resized = decoded.Resize(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul), SKFilterQuality.Medium)
            ?? throw new DatasetFileException(DataProblem.Corrupt, path, "the image could not be resized", "a decodable image");
        var pixels = resized.GetPixelSpan();
        var result = new float[3 * size * size];
        int plane = size * size;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) result[c * plane + p] = pixels[4 * p + c] / 255f;
        return result;
    });
}
