using Cggm.Modulation;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

/// <summary>
/// The weight cosine without the lag (<see cref="CggmOptions.Similarity"/> = Weights on the Paper variant), which notebook 10 uses to
/// separate the released code's weight cosine from its one-step lag.
/// </summary>
public class CggmSimilarityTests
{
    private static readonly int[] Dims = [3, 4];

    [Fact]
    public void Paper_with_weight_cosine_and_no_guard_adds_now_exactly_what_the_reference_adds_one_step_later()
    {
        const double rho = 1.3, lambda = 0.2;
        // The released ρ placement (ρ only on the encoders) is the Paper variant at λ/ρ: λ·mean(|ρc| − ρc·cos)/ρ = λ·mean(|c| − c·cos).
        using var paper = new CggmHarness(CggmMethod.Create(new CggmOptions
        {
            Variant = CggmVariant.Paper, Rho = rho, Lambda = lambda / rho, Guard = false, Similarity = DirectionSimilarity.Weights,
        }), 3, Dims);
        using var reference = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Reference, Rho = rho, Lambda = lambda }), 3, Dims);
        var batch = TestData.Batch(16, 3, Dims);

        var p = paper.Compose(batch, 0);
        var taskGrad = torch.autograd.grad([p.TaskLoss!], [paper.HeadWeight], retain_graph: true)[0].clone();
        p.Loss!.backward();
        var paperAdded = paper.HeadWeight.grad! - taskGrad;
        paper.Method.AfterBackward(p);

        var r = reference.Compose(batch, 0);
        r.Loss!.backward();
        reference.Method.AfterBackward(r);
        // The reference keeps λ·∂𝓛_gm/∂W_𝓕 of this step and adds it to W_𝓕's gradient in the next step (no optimizer step in
        // between here, so the weights are those of step 1 throughout).
        var next = reference.Compose(batch, 1);
        next.Loss!.backward();
        var headBefore = reference.HeadWeight.grad!.clone();
        reference.Method.AfterBackward(next);
        var referenceAdded = reference.HeadWeight.grad! - headBefore;

        Assert.Equal(TestData.Values(r.Diagnostics.Coefficients!), TestData.Values(p.Diagnostics.Coefficients!), new Tolerance(1e-9));
        Assert.Equal(TestData.Values(r.Diagnostics.Cosine!), TestData.Values(p.Diagnostics.Cosine!), new Tolerance(1e-6));
        Assert.Equal(TestData.Values(r.Diagnostics.DirectionLoss!)[0] * lambda, TestData.Values(p.Diagnostics.DirectionLoss!)[0] * lambda / rho, 5);
        Assert.True(paperAdded.abs().max().item<float>() > 1e-6f, "the test needs a non-zero direction gradient");
        Assert.True(referenceAdded.allclose(paperAdded, rtol: 1e-4, atol: 1e-7), "the Paper variant with weights, no guard and λ/ρ must add the reference's direction gradient");
    }

    [Fact]
    public void Weight_cosine_reaches_the_head_output_weight_only()
    {
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Paper, Rho = 1.0, Lambda = 0.5, Similarity = DirectionSimilarity.Weights }), 3, Dims);
        var batch = TestData.Batch(16, 3, Dims);
        var s = h.Compose(batch, 0);
        var taskGrads = torch.autograd.grad([s.TaskLoss!], h.Model.parameters().ToArray(), retain_graph: true, allow_unused: true);
        s.Loss!.backward();
        var names = h.Model.named_parameters().ToArray();
        for (int k = 0; k < names.Length; k++)
        {
            var (name, param) = names[k];
            bool same = taskGrads[k] is null ? param.grad is null || param.grad.abs().max().item<float>() == 0 : param.grad!.allclose(taskGrads[k], rtol: 1e-6, atol: 1e-9);
            if (ReferenceEquals(param, h.HeadWeight)) Assert.False(same, "W_𝓕 must receive the direction gradient");
            else Assert.True(same, $"{name} received gradient from 𝓛_gm");
        }
    }

    [Fact]
    public void Reference_with_gradient_cosine_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Reference, Similarity = DirectionSimilarity.Gradients }));
        Assert.Contains("one step late", e.Message);
        Assert.Equal(DirectionSimilarity.Weights, new CggmOptions { Variant = CggmVariant.Reference }.SimilarityInUse);
        Assert.Equal(DirectionSimilarity.Gradients, new CggmOptions().SimilarityInUse);
    }
}
