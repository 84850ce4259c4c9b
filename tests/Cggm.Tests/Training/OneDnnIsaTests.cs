using Cggm.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cggm.Tests.Training;

/// <summary>Convolutions are exact and repeatable on this machine (the oneDNN AVX-512 defect <see cref="OneDnnIsa"/> caps).</summary>
public class OneDnnIsaTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(4, 4, 40, 1)]   // 24 of 30 repetitions differed with AVX-512 oneDNN kernels on an AMD EPYC (family 26), 2 threads
    [InlineData(8, 8, 20, 1)]   // 2 of 30 non-finite there
    [InlineData(1, 4, 160, 2)]  // the BraTS stem shape (7×7 in the model; 3×3 here)
    public void Repeated_convolutions_are_bit_identical_and_finite(int inChannels, int outChannels, int size, int stride)
    {
        output.WriteLine($"oneDNN: {OneDnnIsa.State}; torch threads {torch.get_num_threads()}");
        torch.manual_seed(1);
        using var x = torch.randn(2, inChannels, size, size);
        using var w = torch.randn(outChannels, inChannels, 3, 3) * 0.1;
        Tensor? y0 = null, gx0 = null, gw0 = null;
        for (int rep = 0; rep < 30; rep++)
        {
            using var scope = NewDisposeScope();
            var xr = x.clone().requires_grad_(true);
            var wr = w.clone().requires_grad_(true);
            var y = nn.functional.conv2d(xr, wr, strides: [stride, stride], padding: [1, 1]);
            y.square().sum().backward();
            Assert.True(y.isfinite().all().item<bool>() && xr.grad!.isfinite().all().item<bool>() && wr.grad!.isfinite().all().item<bool>(), $"repetition {rep} is not finite");
            if (y0 is null)
            {
                (y0, gx0, gw0) = (y.detach().MoveToOuterDisposeScope(), xr.grad!.clone().MoveToOuterDisposeScope(), wr.grad!.clone().MoveToOuterDisposeScope());
                continue;
            }
            Assert.True(y.allclose(y0, 0, 0) && xr.grad!.allclose(gx0!, 0, 0) && wr.grad!.allclose(gw0!, 0, 0), $"repetition {rep} differs from the first");
        }
    }

    [Fact]
    public void The_cap_is_decided_once_the_library_is_loaded() => Assert.NotEqual("not checked", OneDnnIsa.State);
}
