using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>
/// A dataset restricted to a fixed subset of each split: the smaller budget of a reduced profile (e.g. Quick on a CPU).
/// Each split keeps <c>n</c> samples drawn once without replacement with a fixed seed, independent of the run's seed, so
/// every method and seed trains and is scored on the same samples. The chosen samples stay in file order: the released
/// code never shuffles, and its Δε compares consecutive batches in that order. Disposing the subset disposes the dataset
/// it wraps.
/// </summary>
public sealed class DatasetSubset : IMultimodalDataset, IDisposable
{
    private readonly IMultimodalDataset _inner;
    private readonly IDataSplit[] _splits;

    /// <summary>
    /// Wraps <paramref name="inner"/>, keeping at most <paramref name="train"/>, <paramref name="valid"/> and
    /// <paramref name="test"/> samples (null keeps the whole split), drawn with <paramref name="seed"/>.
    /// </summary>
    public DatasetSubset(IMultimodalDataset inner, int? train, int? valid, int? test, int seed = 0)
    {
        _inner = inner;
        var sizes = new[] { train, valid, test };
        _splits = new IDataSplit[3];
        for (int s = 0; s < 3; s++)
        {
            var split = inner[(Split)s];
            var indices = Choose(split.Count, sizes[s], seed + s);
            _splits[s] = indices.Length == split.Count ? split : new SubsetSplit(split, indices);
        }
    }

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities => _inner.Modalities;

    /// <inheritdoc />
    public LabelInfo Label => _inner.Label;

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>
    /// <paramref name="take"/> of the indices 0..<paramref name="count"/>−1 drawn without replacement with
    /// <paramref name="seed"/>, in ascending order; all of them when <paramref name="take"/> is null or at least
    /// <paramref name="count"/>.
    /// </summary>
    public static int[] Choose(int count, int? take, int seed)
    {
        if (take is < 1) throw new ArgumentOutOfRangeException(nameof(take), take, "Keep at least one sample per split (or null for all).");
        if (take is null || take >= count) return Enumerable.Range(0, count).ToArray();
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var chosen = order[..take.Value];
        Array.Sort(chosen);
        return chosen;
    }

    /// <inheritdoc />
    public void Dispose() => (_inner as IDisposable)?.Dispose();

    private sealed class SubsetSplit(IDataSplit inner, int[] indices) : IDataSplit
    {
        public int Count => indices.Length;

        public Batch Load(IReadOnlyList<int> batch, Device device)
        {
            var mapped = new int[batch.Count];
            for (int i = 0; i < mapped.Length; i++)
            {
                if (batch[i] < 0 || batch[i] >= indices.Length)
                    throw new ArgumentOutOfRangeException(nameof(batch), batch[i], $"The subset has {indices.Length} samples.");
                mapped[i] = indices[batch[i]];
            }
            return inner.Load(mapped, device);
        }

        public SampleOrigin Origin(int index, int? modality = null) => inner.Origin(indices[index], modality);
    }
}
