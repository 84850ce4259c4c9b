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

    [Theory]
    [InlineData(67, 16, 12)]   // the narrowed BraTS decoder's 3×3 conv: relative error 0.08 with oneDNN's AVX2 kernels on an AMD EPYC (family 26)
    [InlineData(19, 16, 2)]    // the narrowed BraTS classifiers' 3×3 conv: 0.36 there
    [InlineData(65, 8, 2)]
    [InlineData(72, 16, 2)]
    public void Convolutions_agree_with_float64(int inChannels, int outChannels, int batch)
    {
        output.WriteLine($"oneDNN: {OneDnnIsa.State}");
        torch.manual_seed(1);
        using var scope = NewDisposeScope();
        var x = torch.randn(batch, inChannels, 40, 40);
        var w = torch.randn(outChannels, inChannels, 3, 3) * 0.05;
        var y = nn.functional.conv2d(x, w, padding: [1, 1]).to(ScalarType.Float64);
        var reference = nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: [1, 1]);
        double error = ((y - reference).abs().max() / reference.abs().max()).item<double>();
        Assert.True(error < 1e-5, $"conv2d {inChannels}→{outChannels} 3×3 is off by {error:E2} of its magnitude against float64 ({OneDnnIsa.State}).");
    }

    [Fact]
    public void The_cap_is_decided_once_the_library_is_loaded() => Assert.NotEqual("not checked", OneDnnIsa.State);
}
