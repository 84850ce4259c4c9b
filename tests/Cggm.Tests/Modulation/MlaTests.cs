using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class MlaTests
{
    [Fact]
    public void Projector_removes_the_seen_input_direction()
    {
        // P = I₂, r = (1, 0): k = P r = (1, 0), rᵀk = 1.
        // α = 0: P − k kᵀ/1 = [[0, 0], [0, 1]];  α = 1: P − k kᵀ/2 = [[0.5, 0], [0, 1]]
        using var p = eye(2);
        using var r = tensor(new float[] { 1, 0 });
        Assert.Equal(new[] { 0.0, 0, 0, 1 }, MethodTestKit.Values(Mla.UpdateProjector(p, r, 0).reshape(-1)));
        Assert.Equal(new[] { 0.5, 0, 0, 1 }, MethodTestKit.Values(Mla.UpdateProjector(p, r, 1).reshape(-1)));
    }

    [Fact]
    public void Fusion_weights_favour_the_lower_entropy_modality()
    {
        // e = [0.5, 1.0]: max = 1, λ ∝ [exp(0.5), exp(0)] → [1.648721, 1]/2.648721 = [0.622459, 0.377541]
        using var e = tensor(new float[] { 0.5f, 1.0f }, [1, 2]);
        var w = MethodTestKit.Values(Mla.FusionWeights(e));
        Assert.Equal(0.622459, w[0], 5);
        Assert.Equal(0.377541, w[1], 5);
        // The entropy of a uniform 2-class prediction is ln 2 = 0.693147.
        using var logits = zeros(1, 2);
        Assert.Equal(0.693147, Mla.Entropy(logits).item<float>(), 5);
    }
}
