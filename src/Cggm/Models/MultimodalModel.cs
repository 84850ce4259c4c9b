using Cggm.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>
/// The late-fusion architecture of the paper (§3.1, Fig. 1): an encoder φ_i per modality, a fusion module Ω and a
/// prediction head 𝓕, with ŷ = 𝓕(Ω([φ_1(x^{m_1}), …, φ_M(x^{m_M})])).
/// Balancing methods reach each part by role — <see cref="Encoder"/>, <see cref="Fusion"/>, <see cref="Head"/>,
/// <see cref="HeadOutputWeight"/> — never by matching parameter names.
/// </summary>
public abstract class MultimodalModel : nn.Module<Tensor[], MultimodalOutput>
{
    /// <summary>Creates a model for inputs shaped as <paramref name="inputs"/>.</summary>
    protected MultimodalModel(string name, IReadOnlyList<ModalityInfo> inputs) : base(name)
    {
        if (inputs.Count < 1) throw new ArgumentException("A model needs at least one modality.", nameof(inputs));
        Inputs = inputs;
    }

    /// <summary>The modalities this model reads, in order.</summary>
    public IReadOnlyList<ModalityInfo> Inputs { get; }

    /// <summary>Number of modalities M.</summary>
    public int ModalityCount => Inputs.Count;

    /// <summary>φ_i: the encoder of modality <paramref name="modality"/>, mapping x^{m_i} to h_i.</summary>
    public abstract nn.Module<Tensor, Tensor> Encoder(int modality);

    /// <summary>Ω: fuses [h_1, …, h_M] into the fused feature.</summary>
    public abstract nn.Module<Tensor[], Tensor> Fusion { get; }

    /// <summary>𝓕: maps the fused feature to the prediction.</summary>
    public abstract nn.Module<Tensor, Tensor> Head { get; }

    /// <summary>The weight of 𝓕's output layer: the "fusion" side of CGGM's direction term (paper Eq. 10–12).</summary>
    public abstract Parameter HeadOutputWeight { get; }

    /// <summary>
    /// θ^{φ_i}: the parameters CGGM scales by B_i (paper Eq. 8). By default every parameter of <see cref="Encoder"/>;
    /// a model may narrow this (the released MSA code leaves the per-modality input projections unscaled).
    /// </summary>
    public virtual IEnumerable<Parameter> EncoderParameters(int modality) => Encoder(modality).parameters();

    /// <summary>A fresh modality classifier f_i for modality <paramref name="modality"/> (paper Eq. 5), sized to this model's head.</summary>
    public abstract ModalityClassifier CreateModalityClassifier(int modality);

    /// <summary>Encodes every modality: h_i = φ_i(x^{m_i}).</summary>
    public Tensor[] Encode(Tensor[] inputs)
    {
        ValidateInputs(inputs);
        var features = new Tensor[ModalityCount];
        for (int i = 0; i < ModalityCount; i++) features[i] = Encoder(i).call(inputs[i]);
        return features;
    }

    /// <summary>The rest of the forward pass from given features: ŷ = 𝓕(Ω([h_1, …, h_M])). Used for zero-masked (unimodal) passes.</summary>
    public MultimodalOutput FromFeatures(Tensor[] features)
    {
        var fused = Fusion.call(features);
        return new MultimodalOutput(Head.call(fused), features, fused);
    }

    /// <inheritdoc />
    public override MultimodalOutput forward(Tensor[] inputs) => FromFeatures(Encode(inputs));

    /// <summary>Checks the number and shapes of inputs before any native call (a shape error inside libtorch's matmul aborts the process).</summary>
    public void ValidateInputs(Tensor[] inputs)
    {
        if (inputs.Length != ModalityCount)
            throw new ArgumentException($"{GetName()} takes {ModalityCount} modalities ({string.Join(", ", Inputs.Select(i => i.Name))}) but received {inputs.Length}.");
        for (int i = 0; i < ModalityCount; i++)
        {
            var want = Inputs[i].Shape;
            var got = inputs[i].shape;
            bool ok = got.Length == want.Length + 1;
            for (int d = 0; ok && d < want.Length; d++) ok = want[d] < 0 || want[d] == got[d + 1];
            if (!ok)
                throw new ArgumentException($"Modality '{Inputs[i].Name}' expects batches shaped [B, {string.Join(", ", want.Select(w => w < 0 ? "*" : w.ToString()))}] but received [{string.Join(", ", got)}].");
        }
    }
}
