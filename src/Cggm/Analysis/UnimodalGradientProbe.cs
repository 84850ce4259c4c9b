using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Analysis;

/// <summary>
/// The three output-layer gradients of one batch that the paper's Fig. 4 compares, each flattened (all have the shape of
/// the head's output weight W_𝓕).
/// </summary>
/// <param name="Classifier">g_i = ∇_{W_{f_i}} 𝓛(f_i(h_i), y) per modality: the classifier gradient CGGM uses (paper Eq. 9).</param>
/// <param name="Unimodal">u_i = ∇_{W_𝓕} 𝓛(𝓕(Ω([0, …, h_i, …, 0])), y) per modality: the "unimodal gradient" the paper would
/// ideally use — the head's output-layer gradient when only h_i is fed to the fusion (paper §3.3, Fig. 4).</param>
/// <param name="Fusion">g_𝓕 = ∇_{W_𝓕} 𝓛(𝓕(Ω([h_1, …, h_M])), y): the fusion gradient both are compared with in 𝓛_gm (Eq. 10–12).</param>
public sealed record BatchGradients(double[][] Classifier, double[][] Unimodal, double[] Fusion);

/// <summary>
/// Measures, on one batch, the classifier gradients g_i, the unimodal gradients u_i and the fusion gradient g_𝓕 (paper §3.3
/// and Fig. 4: "the gradients of the classifiers are used as a stand-in for the unimodal gradients").
/// <para>Which gradients, and why: CGGM's direction term (Eq. 11–12) uses sim(g_𝓕, g_i) with g_i the gradient of classifier
/// f_i's output layer; the quantity it stands in for is sim(g_𝓕, u_i) with u_i the gradient of the <i>same</i> layer as g_𝓕 —
/// the head's output layer W_𝓕 — under a unimodal input. f_i's output layer is built with W_𝓕's shape, so g_i and u_i live in
/// the same space, and the stand-in is good when g_i ≈ u_i in direction. The unimodal input is
/// <see cref="MultimodalModel.FromFeatures"/> on [0, …, h_i, …, 0] (the other features zeroed, <see cref="ZeroMasking"/>).</para>
/// <para>All three are taken at the model's current parameters, with <c>torch.autograd.grad</c> (no <c>.grad</c> is touched),
/// in evaluation mode (no dropout; BatchNorm on its running statistics), so probing changes nothing in a training run.
/// h_i = φ_i(x_i) is computed once without gradient: no gradient reaches the encoders.</para>
/// </summary>
public static class UnimodalGradientProbe
{
    /// <summary>g_i, u_i (i = 1..M) and g_𝓕 on <paramref name="batch"/>.</summary>
    public static BatchGradients Measure(MultimodalModel model, IReadOnlyList<ModalityClassifier> classifiers, LearningTask task, Batch batch)
    {
        int m = model.ModalityCount;
        if (classifiers.Count != m)
            throw new ArgumentException($"{model.GetName()} has {m} modalities but {classifiers.Count} classifiers were given.", nameof(classifiers));
        for (int i = 0; i < m; i++)
            if (!classifiers[i].OutputWeight.shape.SequenceEqual(model.HeadOutputWeight.shape))
                throw new ArgumentException($"Classifier {i}'s output layer is [{string.Join(", ", classifiers[i].OutputWeight.shape)}] but the head's is " +
                                            $"[{string.Join(", ", model.HeadOutputWeight.shape)}]; the probe compares gradients of the same shape.", nameof(classifiers));
        bool modelTraining = model.training;
        var classifierTraining = classifiers.Select(c => c.training).ToArray();
        using var scope = NewDisposeScope();
        model.eval();
        foreach (var c in classifiers) c.eval();
        try
        {
            using var _ = enable_grad();
            Tensor[] features;
            using (no_grad()) features = model.Encode(batch.Modalities);
            var head = model.HeadOutputWeight;
            var classifier = new double[m][];
            var unimodal = new double[m][];
            for (int i = 0; i < m; i++)
            {
                var own = task.Loss(classifiers[i].call(features[i]), batch.Target);
                classifier[i] = Flatten(torch.autograd.grad([own], [classifiers[i].OutputWeight])[0]);
                var alone = task.Loss(ZeroMasking.Only(model, features, i).Prediction, batch.Target);
                unimodal[i] = Flatten(torch.autograd.grad([alone], [head])[0]);
            }
            var fused = task.Loss(model.FromFeatures(features).Prediction, batch.Target);
            return new BatchGradients(classifier, unimodal, Flatten(torch.autograd.grad([fused], [head])[0]));
        }
        finally
        {
            model.train(modelTraining);
            for (int i = 0; i < classifiers.Count; i++) classifiers[i].train(classifierTraining[i]);
        }
    }

    private static double[] Flatten(Tensor t) => t.detach().reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
}
