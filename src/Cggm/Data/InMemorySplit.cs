using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>A split held as whole tensors on the CPU: <c>[N, ...]</c> per modality and <c>[N, ...]</c> targets.</summary>
public sealed class InMemorySplit : IDataSplit, IDisposable
{
    private readonly Tensor[] _modalities;
    private readonly Tensor _target;
    private readonly Func<int, int?, SampleOrigin>? _origin;

    /// <summary>Takes ownership of the tensors. Every tensor must have the same first dimension N.</summary>
    /// <param name="modalities">Per modality, <c>[N, ...]</c>.</param>
    /// <param name="target">Targets <c>[N, ...]</c>.</param>
    /// <param name="origin">Where row i of modality m (null: of the target) came from (see <see cref="IDataSplit.Origin"/>); null: "row i".</param>
    public InMemorySplit(Tensor[] modalities, Tensor target, Func<int, int?, SampleOrigin>? origin = null)
    {
        _origin = origin;
        if (modalities.Length == 0) throw new ArgumentException("A split needs at least one modality.", nameof(modalities));
        long n = target.shape[0];
        for (int i = 0; i < modalities.Length; i++)
            if (modalities[i].shape[0] != n)
                throw new ArgumentException($"Modality {i} has {modalities[i].shape[0]} samples but the targets have {n}; every modality needs one row per sample.", nameof(modalities));
        _modalities = modalities.Select(m => m.DetachFromDisposeScope()).ToArray();
        _target = target.DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public int Count => (int)_target.shape[0];

    /// <summary>The whole split, one tensor per modality (CPU, not copied).</summary>
    public IReadOnlyList<Tensor> Modalities => _modalities;

    /// <summary>All targets (CPU, not copied).</summary>
    public Tensor Target => _target;

    /// <inheritdoc />
    public Batch Load(IReadOnlyList<int> indices, Device device)
    {
        using var idx = torch.tensor(indices.Select(i => (long)i).ToArray(), ScalarType.Int64);
        return new Batch(_modalities.Select(m => m.index_select(0, idx).to(device)).ToArray(), _target.index_select(0, idx).to(device));
    }

    /// <inheritdoc />
    public SampleOrigin Origin(int index, int? modality = null) => _origin?.Invoke(index, modality) ?? SampleOrigin.InMemory(index);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in _modalities) m.Dispose();
        _target.Dispose();
    }
}
