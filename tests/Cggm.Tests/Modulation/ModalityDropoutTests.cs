using Cggm.Modulation;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

[Collection(ModulationCollection.Name)]
public sealed class ModalityDropoutTests
{
    [Fact]
    public void Mask_drops_below_p_and_never_drops_every_modality()
    {
        // p = 0.5; u = [[0.2, 0.7], [0.6, 0.9], [0.1, 0.3]]:
        // row 0 drops m0 → [0, 1]; row 1 keeps both → [1, 1]; row 2 would drop both → restored [1, 1]
        using var u = tensor(new float[] { 0.2f, 0.7f, 0.6f, 0.9f, 0.1f, 0.3f }, [3, 2]);
        var keep = ModalityDropout.Mask(u, 0.5).to(ScalarType.Float64);
        Assert.Equal(new[] { 0.0, 1, 1, 1, 1, 1 }, MethodTestKit.Values(keep.reshape(-1)));
    }
}
