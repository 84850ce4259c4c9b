using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>
/// f_i: the light classifier CGGM attaches to encoder i during training only (paper Eq. 5, ŷ_{m_i} = f_i(h_i)).
/// It reads detached features, so it never sends gradient into the encoder, and it is dropped at inference.
/// Its output layer has the shape of the head's output layer, so their gradients (or weights) can be compared.
/// </summary>
public abstract class ModalityClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a classifier module named <paramref name="name"/>.</summary>
    protected ModalityClassifier(string name) : base(name) { }

    /// <summary>The weight of the output layer, compared with <see cref="MultimodalModel.HeadOutputWeight"/> by the direction term.</summary>
    public abstract Parameter OutputWeight { get; }
}
