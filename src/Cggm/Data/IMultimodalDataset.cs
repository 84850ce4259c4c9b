using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>The three splits every experiment uses: model selection on <see cref="Valid"/>, reporting on <see cref="Test"/>.</summary>
public enum Split
{
    /// <summary>Training samples.</summary>
    Train,

    /// <summary>Validation samples: model selection and learning-rate schedules.</summary>
    Valid,

    /// <summary>Test samples: reported numbers only.</summary>
    Test,
}

/// <summary>One modality as the model receives it.</summary>
/// <param name="Name">Short name used in tables and charts (for example "text", "audio").</param>
/// <param name="Shape">Shape of one sample, without the batch dimension.</param>
public sealed record ModalityInfo(string Name, long[] Shape);

/// <summary>What a label is: the <c>label</c> object of the <c>cggm data inspect</c> contract.</summary>
/// <param name="Kind">"classification", "regression" or "segmentation".</param>
/// <param name="Classes">Number of classes (classification and segmentation).</param>
/// <param name="Shape">Shape of one label, without the batch dimension (empty for a scalar).</param>
public sealed record LabelInfo(string Kind, int? Classes, long[] Shape)
{
    /// <summary>A class index per sample.</summary>
    public static LabelInfo Classification(int classes) => new("classification", classes, []);

    /// <summary>A real value per sample.</summary>
    public static LabelInfo Regression() => new("regression", null, []);

    /// <summary>A class index per pixel.</summary>
    public static LabelInfo Segmentation(int classes, params long[] shape) => new("segmentation", classes, shape);
}

/// <summary>A multimodal dataset D = {(x_i, y_i)} with x_i = (x_i^{m_1}, …, x_i^{m_M}), split into train, valid and test.</summary>
public interface IMultimodalDataset
{
    /// <summary>Dataset name, as used by <c>cggm --dataset</c>.</summary>
    string Name { get; }

    /// <summary>The M modalities, in the order of <see cref="Batch.Modalities"/>.</summary>
    IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <summary>What each label is.</summary>
    LabelInfo Label { get; }

    /// <summary>One split.</summary>
    IDataSplit this[Split split] { get; }
}

/// <summary>One split of a dataset, addressed by sample index. Readers may load lazily.</summary>
public interface IDataSplit
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Loads the samples at <paramref name="indices"/> as one batch on <paramref name="device"/>.</summary>
    Batch Load(IReadOnlyList<int> indices, Device device);
}
