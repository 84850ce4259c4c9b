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

    /// <summary>
    /// Where sample <paramref name="index"/> is read from, for messages about it: the file, the place in the file and the
    /// sample's id, for modality <paramref name="modality"/> (an index into <see cref="IMultimodalDataset.Modalities"/>) or,
    /// when null, for its label.
    /// </summary>
    SampleOrigin Origin(int index, int? modality = null);
}

/// <summary>Where one sample's values are stored, as a user would look them up: file, place in the file, sample id.</summary>
/// <param name="File">The file read (for generated data, a short description such as "(generated)").</param>
/// <param name="Location">The place in the file: a key path (<c>['train']['text'][3]</c>), an HDF5 dataset, a line or a row.</param>
/// <param name="Id">The sample's id when the data name one (utterance, image or case id), else its row.</param>
public sealed record SampleOrigin(string File, string Location, string Id)
{
    /// <summary>A sample of data held in memory with no file behind it: row <paramref name="index"/>.</summary>
    public static SampleOrigin InMemory(int index) => new("(in memory)", $"row {index}", $"#{index}");

    /// <inheritdoc />
    public override string ToString() => $"{File} {Location} (sample '{Id}')";
}
