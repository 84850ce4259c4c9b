using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>
/// One minibatch: the inputs x^{m_1..m_M} of every modality, in the dataset's modality order, and the target y.
/// </summary>
/// <param name="Modalities">One tensor per modality, each <c>[B, ...]</c> (the sample shape of <see cref="ModalityInfo.Shape"/>).</param>
/// <param name="Target">Labels <c>[B]</c> (classification), values <c>[B]</c> (regression) or masks <c>[B, H, W]</c> (segmentation).</param>
public sealed record Batch(Tensor[] Modalities, Tensor Target) : IDisposable
{
    /// <summary>Number of samples B.</summary>
    public int Size => (int)Target.shape[0];

    /// <summary>Moves every tensor to <paramref name="device"/> (a no-op for tensors already there).</summary>
    public Batch To(Device device) => new(Modalities.Select(m => m.to(device)).ToArray(), Target.to(device));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in Modalities) m.Dispose();
        Target.Dispose();
    }
}
