using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>What one forward pass of a <see cref="MultimodalModel"/> produces.</summary>
/// <param name="Prediction">ŷ = 𝓕(Ω([h_1, …, h_M])) (paper Eq. 2).</param>
/// <param name="Features">h_i = φ_i(x^{m_i}) (paper Eq. 1), one per modality, attached to the graph.</param>
/// <param name="Fused">Ω's output, the "prediction token" the head reads.</param>
public sealed record MultimodalOutput(Tensor Prediction, Tensor[] Features, Tensor Fused);
