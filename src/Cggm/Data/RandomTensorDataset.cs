using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>
/// Random inputs in given sample shapes with random targets of a given label kind: for benchmarks and shape tests, where
/// only the shapes matter. Deterministic from a seed.
/// </summary>
public sealed class RandomTensorDataset : IMultimodalDataset, IDisposable
{
    private readonly InMemorySplit[] _splits;

    /// <summary>Splits of <paramref name="train"/>, <paramref name="valid"/> and <paramref name="test"/> samples.</summary>
    public RandomTensorDataset(string name, IReadOnlyList<ModalityInfo> modalities, LabelInfo label, int train, int valid, int test, int seed = 0)
    {
        if (modalities.Any(m => m.Shape.Any(d => d < 1)))
            throw new ArgumentException("Random data need fixed sample shapes (no −1).", nameof(modalities));
        Name = name;
        Modalities = modalities;
        Label = label;
        var generator = new Generator((ulong)seed);
        _splits = [Make(train, generator), Make(valid, generator), Make(test, generator)];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label { get; }

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    private InMemorySplit Make(int n, Generator g)
    {
        var inputs = Modalities.Select(m => torch.randn([n, .. m.Shape], generator: g)).ToArray();
        var target = Label.Kind switch
        {
            "classification" => torch.randint(0, Label.Classes!.Value, [n], generator: g),
            "regression" => (2 * torch.randn([n], generator: g)).clamp(-3, 3),
            _ => torch.randint(0, Label.Classes!.Value, [n, .. Label.Shape], generator: g),
        };
        return new InMemorySplit(inputs, target);
    }

    /// <inheritdoc />
    public void Dispose() { foreach (var s in _splits) s.Dispose(); }
}
