using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Modulation;

/// <summary>
/// An MMTM block (Joze, Shaban, Iuzzolino, Koishida, "MMTM: Multimodal Transfer Module for CNN Fusion", CVPR 2020) over
/// M feature tensors, as Greedy (Wu et al., ICML 2022, <c>MMTM_mitigate</c>) uses it between the unimodal branches:
/// squeeze S_i = mean of h_i over every dimension after the channel dimension (<c>[B, C_i]</c>), joint excitation
/// Z = ReLU(W_sq [S_1; …; S_M]) of width 2·ΣC_i/r, gates E_i = σ(W_i Z) <c>[B, C_i]</c>, output h̃_i = h_i ⊙ E_i (broadcast).
/// In re-balancing mode the gate of the cared modality is replaced by its running average over training steps, which cuts
/// the cross-modal flow into that branch. The running averages are updated in training forwards only (the released code
/// also updates them in evaluation, and updates the second modality's average with the first modality's gates, a bug);
/// each modality keeps its own average here.
/// </summary>
public sealed class MmtmBlock : Module<Tensor[], Tensor[]>
{
    private readonly Linear squeeze;
    private readonly ModuleList<Linear> excite;
    private readonly long[] _channels;
    private Tensor[] _runningGate;
    private long _steps;

    /// <summary>A block for feature tensors with <paramref name="channels"/> channels (dimension 1) and reduction ratio <paramref name="ratio"/> (released: 4).</summary>
    public MmtmBlock(IReadOnlyList<long> channels, int ratio = 4) : base(nameof(MmtmBlock))
    {
        if (channels.Count < 2) throw new ArgumentException("MMTM joins at least two modalities.", nameof(channels));
        _channels = channels.ToArray();
        long total = _channels.Sum(), hidden = Math.Max(1, 2 * total / ratio);
        squeeze = Linear(total, hidden);
        excite = new ModuleList<Linear>(_channels.Select(c => Linear(hidden, c)).ToArray());
        _runningGate = _channels.Select(c => torch.zeros(c).DetachFromDisposeScope()).ToArray();
        RegisterComponents();
    }

    /// <summary>Channels C_i per modality.</summary>
    public IReadOnlyList<long> Channels => _channels;

    /// <summary>The modality whose gate is replaced by its running average (Greedy's "caring modality"), or null for normal mode.</summary>
    public int? Caring { get; set; }

    /// <summary>Parameters of the joint squeeze W_sq (shared by every modality's bypass).</summary>
    public IEnumerable<Parameter> SharedParameters => squeeze.parameters();

    /// <summary>Parameters of modality <paramref name="modality"/>'s excitation W_i.</summary>
    public IEnumerable<Parameter> ModalityParameters(int modality) => excite[modality].parameters();

    /// <summary>The running average of each modality's gate over training forwards, <c>[C_i]</c>.</summary>
    public IReadOnlyList<Tensor> RunningGates => _runningGate;

    /// <inheritdoc />
    public override Tensor[] forward(Tensor[] features)
    {
        if (features.Length != _channels.Length)
            throw new ArgumentException($"The MMTM block joins {_channels.Length} modalities but received {features.Length} feature tensors.");
        var squeezed = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var h = features[i];
            if (h.dim() < 2 || h.shape[1] != _channels[i])
                throw new ArgumentException($"MMTM expects modality {i}'s features shaped [B, {_channels[i]}, …]; got [{string.Join(", ", h.shape)}].");
            squeezed[i] = h.dim() == 2 ? h : h.reshape(h.shape[0], h.shape[1], -1).mean([2L]);
        }
        var z = functional.relu(squeeze.call(torch.cat(squeezed, 1)));
        var output = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var gate = functional.sigmoid(excite[i].call(z));                    // [B, C_i]
            if (training)
            {
                using var _ = no_grad();
                _runningGate[i].mul_(_steps).add_(gate.mean([0L])).div_(_steps + 1);
            }
            if (Caring == i) gate = _runningGate[i].unsqueeze(0).expand(gate.shape[0], -1);
            var shape = features[i].shape.Select((d, k) => k < 2 ? d : 1L).ToArray();
            output[i] = features[i] * gate.reshape(shape);
        }
        if (training) _steps++;
        return output;
    }

    /// <summary>Moves the running gates with the module.</summary>
    public void MoveRunningGates(Device device) =>
        _runningGate = _runningGate.Select(g => { var moved = g.to(device).DetachFromDisposeScope(); if (!ReferenceEquals(moved, g)) g.Dispose(); return moved; }).ToArray();

    /// <summary>Writes the running gates and the step count.</summary>
    public void SaveRunning(BinaryWriter writer)
    {
        writer.Write(_steps);
        foreach (var g in _runningGate) g.Save(writer);
    }

    /// <summary>Restores what <see cref="SaveRunning"/> wrote.</summary>
    public void LoadRunning(BinaryReader reader)
    {
        _steps = reader.ReadInt64();
        using var _ = no_grad();
        foreach (var g in _runningGate)
        {
            using var loaded = Tensor.Load(reader);
            g.copy_(loaded);
        }
    }
}
