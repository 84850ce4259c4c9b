using Cggm.Modulation;
using TorchSharp;

namespace Cggm.Tests.Modulation;

/// <summary>
/// <see cref="CggmOptions.OverlapClassifiers"/> moves the classifiers' pass to a worker thread; it must not change a number.
/// </summary>
[Collection(ModulationCollection.Name)]
public class CggmOverlapTests
{
    private static readonly int[] Dims = [3, 4];

    [Theory]
    [InlineData(CggmVariant.Paper)]
    [InlineData(CggmVariant.Reference)]
    public void Overlapped_classifier_pass_gives_the_same_steps_as_the_sequential_one(CggmVariant variant)
    {
        var (sequential, overlapped) = (Run(variant, overlap: false), Run(variant, overlap: true));
        for (int step = 0; step < sequential.Count; step++)
            Assert.Equal(sequential[step], overlapped[step], new Tolerance(1e-6));
    }

    /// <summary>Four steps with an optimizer step after each; per step B, ε, the cosines and every model parameter afterwards.</summary>
    private static List<double[]> Run(CggmVariant variant, bool overlap)
    {
        torch.manual_seed(7);
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = variant, Rho = 1.3, Lambda = 0.2, OverlapClassifiers = overlap }), 3, Dims);
        var records = new List<double[]>();
        for (int step = 0; step < 4; step++)
        {
            var batch = TestData.Batch(16, 3, Dims);
            var s = h.Compose(batch, step);
            s.Loss!.backward();
            h.Method.AfterBackward(s);
            h.Optimizer.step();
            records.Add([.. TestData.Values(s.Diagnostics.Coefficients!), .. TestData.Values(s.Diagnostics.Utilization!), .. TestData.Values(s.Diagnostics.Cosine!),
                         .. h.Model.parameters().SelectMany(p => TestData.Values(p))]);
        }
        return records;
    }
}
