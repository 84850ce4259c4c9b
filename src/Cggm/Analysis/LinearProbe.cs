using Cggm.Data;
using Cggm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Analysis;

/// <summary>
/// Linear probe of an encoder's features (the usual test of an under-optimised encoder, as in OGM-GE and BalanceMM's
/// LinearProbe): freeze encoder φ_i, standardise h_i on the training split, fit multinomial logistic regression (full
/// batch, Adam, weight decay 1e-4), and report accuracy on the evaluation split.
/// </summary>
public static class LinearProbe
{
    /// <summary>Test accuracy of a linear classifier on φ_i's features.</summary>
    public static double Accuracy(MultimodalModel model, int modality, IDataSplit train, IDataSplit evaluation, int classes,
                                  Device device, int steps = 300, double learningRate = 0.05)
    {
        using var scope = NewDisposeScope();
        var (xTrain, yTrain) = Features(model, modality, train, device);
        var (xEval, yEval) = Features(model, modality, evaluation, device);
        var mean = xTrain.mean([0], keepdim: true);
        var std = xTrain.std(0, keepdim: true) + 1e-6;
        xTrain = (xTrain - mean) / std;
        xEval = (xEval - mean) / std;
        var probe = nn.Linear(xTrain.shape[1], classes).to(device);
        var optimizer = optim.Adam(probe.parameters(), learningRate, weight_decay: 1e-4);
        for (int s = 0; s < steps; s++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(probe.call(xTrain), yTrain).backward();
            optimizer.step();
        }
        using var _ = no_grad();
        return probe.call(xEval).argmax(-1).eq(yEval).to(ScalarType.Float64).mean().item<double>();
    }

    private static (Tensor X, Tensor Y) Features(MultimodalModel model, int modality, IDataSplit split, Device device)
    {
        using var _ = no_grad();
        model.eval();
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        foreach (var idx in BatchOrder.Batches(split.Count, 512, shuffle: false, 0, 0))
        {
            var batch = split.Load(idx, device);
            xs.Add(model.Encoder(modality).call(batch.Modalities[modality]).reshape(batch.Size, -1));
            ys.Add(batch.Target);
        }
        model.train();
        return (torch.cat(xs, 0), torch.cat(ys, 0));
    }
}
