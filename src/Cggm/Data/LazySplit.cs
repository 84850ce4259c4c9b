using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>One sample as a reader returns it: each modality's values in C order, and the target values (one value for
/// classification or regression, H·W class indices for segmentation).</summary>
/// <param name="Modalities">Per modality, <c>product(ModalityInfo.Shape)</c> values.</param>
/// <param name="Target">Target values.</param>
public sealed record Sample(float[][] Modalities, double[] Target);

/// <summary>
/// A split that reads each sample from disk when a batch asks for it, so a dataset larger than memory trains in
/// constant memory: only one batch is ever held. The reader must be safe to call from one thread at a time.
/// </summary>
public sealed class LazySplit : IDataSplit
{
    private readonly long[][] _shapes;
    private readonly long[] _targetShape;
    private readonly ScalarType _targetType;
    private readonly Func<int, Sample> _read;
    private readonly ScalarType[] _modalityTypes;
    private readonly Func<int, int?, SampleOrigin>? _origin;

    /// <summary>Creates the split.</summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="shapes">Sample shape per modality.</param>
    /// <param name="targetShape">Shape of one target (empty for a scalar).</param>
    /// <param name="targetType">Int64 for class indices, Float32 for regression values.</param>
    /// <param name="read">Reads sample i.</param>
    /// <param name="modalityTypes">Tensor type per modality (default Float32; Int64 for token ids).</param>
    /// <param name="origin">Where sample i of modality m (null: its target) is read from (see <see cref="IDataSplit.Origin"/>); null: "row i".</param>
    public LazySplit(int count, IEnumerable<long[]> shapes, long[] targetShape, ScalarType targetType, Func<int, Sample> read, ScalarType[]? modalityTypes = null,
                     Func<int, int?, SampleOrigin>? origin = null)
    {
        _origin = origin;
        Count = count;
        _shapes = shapes.ToArray();
        _targetShape = targetShape;
        _targetType = targetType;
        _read = read;
        _modalityTypes = modalityTypes ?? Enumerable.Repeat(ScalarType.Float32, _shapes.Length).ToArray();
        if (_modalityTypes.Length != _shapes.Length) throw new ArgumentException($"{_modalityTypes.Length} modality types for {_shapes.Length} modalities.", nameof(modalityTypes));
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>Reads one sample (for inspection and tests).</summary>
    public Sample Read(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The split has {Count} samples.");
        return _read(index);
    }

    /// <inheritdoc />
    public SampleOrigin Origin(int index, int? modality = null) => _origin?.Invoke(index, modality) ?? SampleOrigin.InMemory(index);

    /// <inheritdoc />
    public Batch Load(IReadOnlyList<int> indices, Device device)
    {
        int b = indices.Count;
        var sizes = _shapes.Select(s => s.Aggregate(1L, (x, y) => x * y)).ToArray();
        long targetSize = _targetShape.Aggregate(1L, (x, y) => x * y);
        var buffers = sizes.Select(n => new float[b * n]).ToArray();
        var target = new double[b * targetSize];
        for (int i = 0; i < b; i++)
        {
            var sample = Read(indices[i]);
            if (sample.Modalities.Length != _shapes.Length) throw new InvalidDataException($"{Origin(indices[i])}: {sample.Modalities.Length} modalities, expected {_shapes.Length}.");
            for (int m = 0; m < _shapes.Length; m++)
            {
                if (sample.Modalities[m].LongLength != sizes[m])
                    throw new InvalidDataException($"{Origin(indices[i], m)}: {sample.Modalities[m].Length} values in modality {m}, expected {sizes[m]} for shape [{string.Join(", ", _shapes[m])}] (every sample needs the shape of the first).");
                Array.Copy(sample.Modalities[m], 0, buffers[m], i * sizes[m], sizes[m]);
            }
            if (sample.Target.LongLength != targetSize) throw new InvalidDataException($"{Origin(indices[i])}: {sample.Target.Length} target values, expected {targetSize}.");
            Array.Copy(sample.Target, 0, target, i * targetSize, targetSize);
        }
        var modalities = new Tensor[_shapes.Length];
        for (int m = 0; m < _shapes.Length; m++)
        {
            using var cpu = torch.tensor(buffers[m], [b, .. _shapes[m]]);
            using var typed = cpu.to(_modalityTypes[m]);
            modalities[m] = typed.to(device).DetachFromDisposeScope();
        }
        long[] shape = [b, .. _targetShape];
        using var t = _targetType == ScalarType.Int64
            ? torch.tensor(Array.ConvertAll(target, v => (long)v), shape)
            : torch.tensor(Array.ConvertAll(target, v => (float)v), shape);
        return new Batch(modalities, t.to(device).DetachFromDisposeScope());
    }
}
