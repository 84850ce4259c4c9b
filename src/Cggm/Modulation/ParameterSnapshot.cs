using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>
/// A copy of the parameters and buffers of some modules, restorable in place. Methods that train a sub-model inside a run
/// (G-Blending's weight estimation, UMT's teachers) train the run's own modules and restore them afterwards, and UMT swaps
/// its frozen teacher weights in for a forward pass, so no second model instance is needed.
/// </summary>
internal sealed class ParameterSnapshot : IDisposable
{
    private readonly Tensor[] _targets;
    private readonly Tensor[] _saved;

    /// <summary>Copies the current values of every parameter and buffer of <paramref name="modules"/> (each tensor once).</summary>
    public ParameterSnapshot(params nn.Module[] modules)
    {
        var seen = new HashSet<IntPtr>();
        var targets = new List<Tensor>();
        foreach (var module in modules)
            foreach (var t in module.parameters().Cast<Tensor>().Concat(module.buffers()))
                if (seen.Add(t.Handle)) targets.Add(t);
        _targets = targets.ToArray();
        using var _ = no_grad();
        _saved = _targets.Select(t => t.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Number of tensors held.</summary>
    public int Count => _targets.Length;

    /// <summary>Writes the saved values back into the modules.</summary>
    public void Restore()
    {
        using var _ = no_grad();
        for (int i = 0; i < _targets.Length; i++) _targets[i].copy_(_saved[i]);
    }

    /// <summary>Replaces the saved values by the modules' current values.</summary>
    public void Capture()
    {
        using var _ = no_grad();
        for (int i = 0; i < _targets.Length; i++) _saved[i].copy_(_targets[i]);
    }

    /// <summary>Writes the saved values.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_saved.Length);
        foreach (var t in _saved) t.Save(writer);
    }

    /// <summary>Restores saved values written by <see cref="Save"/> for the same modules (not written into the modules).</summary>
    public void Load(BinaryReader reader)
    {
        int n = reader.ReadInt32();
        if (n != _saved.Length)
            throw new InvalidDataException($"The checkpoint holds {n} tensors for this snapshot but the modules have {_saved.Length}; it was written for a different model.");
        using var _ = no_grad();
        for (int i = 0; i < n; i++)
        {
            using var loaded = Tensor.Load(reader);
            _saved[i].copy_(loaded);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _saved) t.Dispose();
    }
}
