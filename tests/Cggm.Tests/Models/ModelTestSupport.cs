using Cggm.Data;
using Cggm.Models;
using Cggm.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests.Models;

/// <summary>Model tests run one at a time and never beside another test: one test switches the default device to meta.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModelCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Models (serial)";
}

/// <summary>A dataset of random tensors in given sample shapes (the loaders of the real data live elsewhere).</summary>
internal sealed class RandomDataset : IMultimodalDataset, IDisposable
{
    private readonly InMemorySplit[] _splits;

    public RandomDataset(string name, IReadOnlyList<ModalityInfo> modalities, LabelInfo label, int train = 8, int valid = 4, int test = 4)
    {
        Name = name;
        Modalities = modalities;
        Label = label;
        _splits = [Make(train), Make(valid), Make(test)];
    }

    public string Name { get; }

    public IReadOnlyList<ModalityInfo> Modalities { get; }

    public LabelInfo Label { get; }

    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>One batch of <paramref name="n"/> random samples with random targets.</summary>
    public Batch Sample(int n) => new(Modalities.Select(m => torch.randn([n, .. m.Shape])).ToArray(), Targets(n));

    private InMemorySplit Make(int n)
    {
        var b = Sample(n);
        return new InMemorySplit(b.Modalities, b.Target);
    }

    private Tensor Targets(int n) => Label.Kind switch
    {
        "classification" => torch.randint(0, Label.Classes!.Value, [n], dtype: ScalarType.Int64),
        "regression" => (2 * torch.randn(n)).clamp(-3, 3),
        _ => torch.randint(0, Label.Classes!.Value, [n, .. Label.Shape], dtype: ScalarType.Int64),
    };

    public void Dispose()
    {
        foreach (var s in _splits) s.Dispose();
    }
}

/// <summary>Tiny sizes of the paper's models, and the paper's input shapes.</summary>
internal static class Tiny
{
    public static readonly TransformerDropouts NoDropout = new(0, 0, 0, 0, 0);

    /// <summary>MOSI as the word-aligned MulT pickle <c>mosi_data.pkl</c>: GloVe text [50, 300], COVAREP audio [50, 5], FACET vision [50, 20].</summary>
    public static readonly ModalityInfo[] Mosi = [new("text", [50, 300]), new("audio", [50, 5]), new("vision", [50, 20])];

    /// <summary>IEMOCAP as the MMIN release: BERT-large text [22, 1024], ComParE audio [350, 130], DenseFace vision [50, 342].</summary>
    public static readonly ModalityInfo[] Iemocap = [new("text", [22, 1024]), new("audio", [350, 130]), new("vision", [50, 342])];

    /// <summary>Food-101 token features: ViT-B/16 [197, 768], BERT-base [50, 768].</summary>
    public static readonly ModalityInfo[] Food = [new("image", [197, 768]), new("text", [50, 768])];

    /// <summary>BraTS slices at the released crop, 160×160, one channel each.</summary>
    public static ModalityInfo[] Brats(int size = 160) => new[] { "flair", "t1ce", "t1", "t2" }.Select(n => new ModalityInfo(n, [1, size, size])).ToArray();

    public static TransformerModelOptions Sequence(int outputs, double dropout = 0) => new()
    {
        Outputs = outputs, Dim = 8, Heads = 2, Layers = 3, ClassifierLayers = 1,
        Dropouts = new TransformerDropouts(dropout, dropout, dropout, dropout, dropout),
    };

    public static TransformerModelOptions FoodOptions(bool bug = false) => TransformerModelOptions.Food101 with
    {
        Dim = 8, Heads = 2, Layers = 3, ClassifierLayers = 1, Dropouts = NoDropout, SharedProjectionBug = bug,
    };

    public static BratsDeepLabOptions Seg(double dropout = 0) => new()
    {
        Depth = ResNetDepth.ResNet18, BaseWidth = 4, AsppChannels = 8, LowLevelReduction = 4, DecoderChannels = 8,
        AsppDropout = dropout, DecoderDropout = dropout, DecoderFinalDropout = dropout,
    };

    /// <summary>
    /// A learnable segmentation batch: each modality a smooth random field (bilinear from a 1/16 grid), the label the
    /// flair field cut at −0.5, 0, 0.5 into classes 0..3 (pure per-pixel noise cannot be resolved at the decoder's 1/4 scale).
    /// </summary>
    public static Batch SegmentationBlobs(int n, int size)
    {
        var fields = Enumerable.Range(0, 4).Select(_ => nn.functional.interpolate(torch.randn(n, 1, size / 16, size / 16), size: [size, size],
            mode: InterpolationMode.Bilinear, align_corners: true)).ToArray();
        var flair = fields[0].squeeze(1);
        var target = flair.gt(-0.5).to(ScalarType.Int64) + flair.gt(0).to(ScalarType.Int64) + flair.gt(0.5).to(ScalarType.Int64);
        return new Batch(fields, target);
    }

    public static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
