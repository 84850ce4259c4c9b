using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

public class CggmMethodTests
{
    private static readonly int[] Dims3 = [3, 4, 5];

    [Fact]
    public void Exactly_each_encoders_gradients_are_scaled_by_its_B_and_nothing_else()
    {
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Paper, Rho = 1.3, Lambda = 0 }), 3, Dims3);
        var s = h.Compose(TestData.Batch(16, 3, Dims3), 0);
        s.Loss!.backward();
        var before = TestData.Grads(h.Model);
        h.Method.AfterBackward(s);
        var after = TestData.Grads(h.Model);

        // B from the recorded ε (first step, ε^0 = 0 so Δε = ε): B_i = ρ(Σε − ε_i)/Σε, or the guard's ρ(M−1)/M when Σε = 0
        var eps = TestData.Values(s.Diagnostics.Utilization!);
        var b = TestData.Values(s.Diagnostics.Coefficients!);
        double sum = eps.Sum();
        for (int i = 0; i < 3; i++)
            Assert.Equal(sum == 0 ? 1.3 * 2 / 3 : 1.3 * (sum - eps[i]) / sum, b[i], 12);

        int scaled = 0;
        foreach (var (name, p) in h.Model.named_parameters())
        {
            int m = h.EncoderOf(p);
            var expected = m < 0 ? before[name] : before[name] * b[m];
            Assert.True(expected.allclose(after[name], rtol: 1e-6, atol: 1e-9), $"{name} (encoder {m}) was not scaled by exactly B");
            if (m >= 0) scaled++;
            else Assert.True(TestData.Same(before[name], after[name]), $"{name} is not an encoder parameter but its gradient changed");
        }
        Assert.Equal(3 * 4, scaled);   // 3 encoders × (2 linear layers × weight, bias)
    }

    [Fact]
    public void Classifier_training_leaves_every_model_gradient_untouched()
    {
        var model = TestData.Model(3, Dims3);
        var task = new ClassificationTask(3);
        using var set = new ModalityClassifierSet(model, task, new OptimizerSpec(OptimizerKind.Adam, 1e-3), CPU);
        var batch = TestData.Batch(16, 3, Dims3);
        var output = model.call(batch.Modalities);
        task.Loss(output.Prediction, batch.Target).backward();
        var before = TestData.Grads(model);

        var pass = set.Train(output.Features, batch.Target);
        set.Step();

        var after = TestData.Grads(model);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var k in before.Keys) Assert.True(TestData.Same(before[k], after[k]), $"{k} changed");
        Assert.All(set.Classifiers, c => Assert.All(c.parameters(), p => Assert.NotNull(p.grad)));
        Assert.Equal([3L], pass.Utilization.shape);
    }

    [Fact]
    public void Reference_uses_the_output_weight_cosine_and_the_previous_steps_direction_loss()
    {
        const double lambda = 0.2, rho = 1.3;
        int[] dims = [3, 4];
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Reference, Rho = rho, Lambda = lambda }), 3, dims);
        var cggm = (CggmMethod)h.Method;
        var batch1 = TestData.Batch(16, 3, dims);

        // step 1: no 𝓛_gm yet
        var s1 = h.Compose(batch1, 0);
        Assert.Equal(s1.TaskLoss!.item<float>(), s1.Loss!.item<float>());
        s1.Loss.backward();
        var headTaskGrad1 = h.HeadWeight.grad!.clone();
        var classifierWeights = cggm.Classifiers!.Classifiers.Select(c => c.OutputWeight.detach().clone()).ToArray();
        var headWeight1 = h.HeadWeight.detach().clone();
        h.Method.AfterBackward(s1);
        Assert.True(TestData.Same(h.HeadWeight.grad!, headTaskGrad1), "step 1 must not add a direction gradient");

        // cos_i = sim(W_{f_i}, W_𝓕) on the weights (flattened), as cal_cos
        var cos = classifierWeights.Select(w => Cosine(w, headWeight1)).ToArray();
        Assert.Equal(cos, TestData.Values(s1.Diagnostics.Cosine!), new Tolerance(1e-6));

        // coeff_i = (Σd + 1e-8 − d_i)/(Σd + 1e-8), d = ε − 0; B recorded = ρ·coeff; l_gm = (Σ|c| − Σ c·cos)/M
        var eps1 = TestData.Values(s1.Diagnostics.Utilization!);
        double ds = eps1.Sum() + 1e-8;
        var coeff = eps1.Select(d => (ds - d) / ds).ToArray();
        Assert.Equal(coeff.Select(c => c * rho).ToArray(), TestData.Values(s1.Diagnostics.Coefficients!), new Tolerance(1e-9 * Math.Max(1, coeff.Max(Math.Abs))));
        double lgm1 = (coeff.Sum(Math.Abs) - coeff.Zip(cos).Sum(p => p.First * p.Second)) / 2;
        Assert.Equal(lgm1, TestData.Values(s1.Diagnostics.DirectionLoss!)[0], 5);

        // λ·∂l_gm/∂W_𝓕 at the step-1 weights: −(λ/M) Σ c_i (a_i/(‖a_i‖‖w‖) − cos_i·w/‖w‖²)
        var w = headWeight1.to(ScalarType.Float64);
        var expectedPending = torch.zeros_like(w);
        for (int i = 0; i < 2; i++)
        {
            var a = classifierWeights[i].to(ScalarType.Float64);
            var dcos = a / (a.norm() * w.norm()) - cos[i] * w / w.norm().pow(2);
            expectedPending -= lambda / 2 * coeff[i] * dcos;
        }

        h.Optimizer.step();   // the weights move before step 2, as in training

        // step 2: the loss carries λ·l_gm of step 1, and W_𝓕's gradient gains exactly the step-1 direction gradient
        var batch2 = TestData.Batch(16, 3, dims);
        var s2 = h.Compose(batch2, 1);
        Assert.Equal(s2.TaskLoss!.item<float>() + lambda * lgm1, s2.Loss!.item<float>(), 4);
        s2.Loss.backward();
        var headTaskGrad2 = h.HeadWeight.grad!.clone();
        h.Method.AfterBackward(s2);
        var added = (h.HeadWeight.grad! - headTaskGrad2).to(ScalarType.Float64);
        Assert.True(added.allclose(expectedPending, rtol: 1e-4, atol: 1e-7), "W_𝓕 did not receive λ·∂𝓛_gm^{t−1}/∂W_𝓕");
        Assert.True(expectedPending.abs().max().item<double>() > 1e-6, "the test needs a non-zero direction gradient");

        // Δε at step 2 compares two different (consecutive) batches
        var eps2 = TestData.Values(s2.Diagnostics.Utilization!);
        Assert.Equal(eps2.Zip(eps1, (a, b) => a - b).ToArray(), TestData.Values(s2.Diagnostics.DeltaUtilization!), new Tolerance(1e-12));
    }

    [Fact]
    public void Paper_uses_gradient_cosines_and_adds_the_direction_loss_in_the_same_step()
    {
        const double lambda = 0.5;
        int[] dims = [3, 4];
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Variant = CggmVariant.Paper, Rho = 1.0, Lambda = lambda }), 3, dims);
        var cggm = (CggmMethod)h.Method;
        var batch = TestData.Batch(16, 3, dims);
        var s = h.Compose(batch, 0);
        var classifierGrads = cggm.Classifiers!.Classifiers.Select(c => c.OutputWeight.grad!.detach().clone()).ToArray();
        var b = s.Diagnostics.Coefficients!.detach().clone();

        // cos_i = sim(∂𝓛_task/∂W_𝓕, ∇W_{f_i}𝓛) on gradients
        var headGrad = torch.autograd.grad([s.TaskLoss!], [h.HeadWeight], retain_graph: true)[0];
        var expectedCos = classifierGrads.Select(g => Cosine(g, headGrad)).ToArray();
        Assert.Equal(expectedCos, TestData.Values(s.Diagnostics.Cosine!), new Tolerance(1e-6));
        double lgm = TestData.Values(b).Zip(expectedCos, (bi, c) => Math.Abs(bi) - bi * c).Average();
        Assert.Equal(s.TaskLoss!.item<float>() + lambda * lgm, s.Loss!.item<float>(), 4);

        s.Loss!.backward();
        var encoderParameter = h.Context.EncoderParameters[1][0];
        var methodHeadGrad = h.HeadWeight.grad!.clone();
        var methodEncoderGrad = encoderParameter.grad!.clone();

        // independent recomputation: 𝓛 = 𝓛_task + λ·mean(|B| − B·sim(∂𝓛_task/∂W_𝓕, g_i)), double backward through ∂𝓛_task/∂W_𝓕
        var again = h.Model.call(batch.Modalities);
        var task = h.Task.Loss(again.Prediction, batch.Target);
        var taskOnly = torch.autograd.grad([task], [h.HeadWeight], retain_graph: true)[0];
        var g = torch.autograd.grad([task], [h.HeadWeight], retain_graph: true, create_graph: true)[0];
        var cos = torch.stack(classifierGrads.Select(gi => nn.functional.cosine_similarity(g.reshape(-1), gi.reshape(-1), 0, 1e-8)).ToArray());
        var total = task + lambda * (b.to(cos.dtype).abs() - b.to(cos.dtype) * cos).mean();
        var expected = torch.autograd.grad([total], [h.HeadWeight, encoderParameter]);
        Assert.True(expected[0].allclose(methodHeadGrad, rtol: 1e-4, atol: 1e-7));
        Assert.True(expected[1].allclose(methodEncoderGrad, rtol: 1e-4, atol: 1e-7));

        // and the direction term really changes the gradient (the test could not pass without it)
        Assert.False(taskOnly.allclose(methodHeadGrad, rtol: 1e-3, atol: 1e-6));
    }

    [Fact]
    public void Direction_only_leaves_encoder_gradients_unscaled()
    {
        int[] dims = [3, 4];
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Rho = null, Lambda = 0.2 }), 3, dims);
        Assert.False(h.Method.ModifiesEncoderGradients);
        var s = h.Compose(TestData.Batch(16, 3, dims), 0);
        s.Loss!.backward();
        var before = TestData.Grads(h.Model);
        h.Method.AfterBackward(s);
        var after = TestData.Grads(h.Model);
        foreach (var k in before.Keys) Assert.True(TestData.Same(before[k], after[k]), k);
    }

    [Fact]
    public void Magnitude_only_adds_nothing_to_the_loss()
    {
        int[] dims = [3, 4];
        using var h = new CggmHarness(CggmMethod.Create(new CggmOptions { Rho = 1.2, Lambda = 0 }), 3, dims);
        var s = h.Compose(TestData.Batch(16, 3, dims), 0);
        Assert.Same(s.TaskLoss, s.Loss);
        s.Loss!.backward();
        h.Method.AfterBackward(s);
        Assert.NotNull(s.Diagnostics.Cosine);          // still measured, for the charts
        Assert.NotNull(s.Diagnostics.DirectionLoss);
    }

    [Fact]
    public void One_modality_is_rejected()
    {
        var model = TestData.Model(3, 4);
        var split = TestData.Split(8, 3, 4);
        var ctx = new TrainingContext(model, new ClassificationTask(3), optim.SGD(model.parameters(), 0.1), CPU, new TrainerOptions(), (_, _) => { }, () => { }, split, split);
        var e = Assert.Throws<ArgumentException>(() => CggmMethod.Create().Attach(ctx));
        Assert.Contains("at least two modalities", e.Message);
    }

    [Fact]
    public void A_classifier_output_layer_unlike_the_heads_is_rejected()
    {
        var model = new WrongClassifierModel();
        var e = Assert.Throws<ArgumentException>(() => new ModalityClassifierSet(model, new ClassificationTask(3), new OptimizerSpec(OptimizerKind.Adam, 1e-3), CPU));
        Assert.Contains("[4, 6]", e.Message);
        Assert.Contains("[3, 6]", e.Message);
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CggmMethod.Create(new CggmOptions { Rho = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CggmMethod.Create(new CggmOptions { Lambda = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CggmMethod.Create(new CggmOptions { Rho = double.NaN }));
    }

    private static double Cosine(Tensor a, Tensor b)
    {
        var x = a.reshape(-1).to(ScalarType.Float64);
        var y = b.reshape(-1).to(ScalarType.Float64);
        return ((x * y).sum() / (x.norm() * y.norm())).item<double>();
    }

    /// <summary>A model whose classifiers have 4 outputs while its head has 3.</summary>
    private sealed class WrongClassifierModel : MultimodalModel
    {
        private readonly MlpFusionNet inner;

        public WrongClassifierModel() : base(nameof(WrongClassifierModel), TestData.Modalities(3, 4))
        {
            inner = new MlpFusionNet(Inputs, 3, hidden: 6);
            RegisterComponents();
        }

        public override nn.Module<Tensor, Tensor> Encoder(int modality) => inner.Encoder(modality);
        public override nn.Module<Tensor[], Tensor> Fusion => inner.Fusion;
        public override nn.Module<Tensor, Tensor> Head => inner.Head;
        public override Parameter HeadOutputWeight => inner.HeadOutputWeight;
        public override ModalityClassifier CreateModalityClassifier(int modality) => new MlpModalityClassifier(6, 4);
    }
}
