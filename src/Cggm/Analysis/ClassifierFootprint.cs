using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Analysis;

/// <summary>
/// What CGGM's classifiers f_1..f_M add to training memory by construction (paper Appendix C and Table 8), independent of the
/// batch: their parameters, their gradients (same size) and their optimizer's state (Adam/AdamW: two moment buffers per value;
/// SGD with momentum: one; plain SGD: none). Activations depend on the batch and are measured instead (<see cref="StepCost"/>).
/// </summary>
/// <param name="ModelParameters">Parameters of the model (encoders, fusion, head).</param>
/// <param name="ClassifierParameters">Parameters of all M classifiers together.</param>
/// <param name="BytesPerValue">Bytes per parameter value (4 for float32).</param>
/// <param name="OptimizerBuffersPerParameter">State buffers the classifier optimizer keeps per parameter value.</param>
public sealed record ClassifierFootprint(long ModelParameters, long ClassifierParameters, int BytesPerValue, int OptimizerBuffersPerParameter)
{
    /// <summary>Bytes of the classifiers' parameters.</summary>
    public long ParameterBytes => ClassifierParameters * BytesPerValue;

    /// <summary>Bytes of their gradients.</summary>
    public long GradientBytes => ClassifierParameters * BytesPerValue;

    /// <summary>Bytes of their optimizer state.</summary>
    public long OptimizerStateBytes => ClassifierParameters * BytesPerValue * OptimizerBuffersPerParameter;

    /// <summary>Parameters + gradients + optimizer state.</summary>
    public long TotalBytes => ParameterBytes + GradientBytes + OptimizerStateBytes;

    /// <summary>Classifier parameters as a fraction of the model's.</summary>
    public double RelativeToModel => (double)ClassifierParameters / ModelParameters;

    /// <summary>Counts the classifiers <paramref name="model"/> builds (<see cref="MultimodalModel.CreateModalityClassifier"/>),
    /// trained with <paramref name="classifierOptimizer"/>.</summary>
    public static ClassifierFootprint Of(MultimodalModel model, OptimizerSpec classifierOptimizer)
    {
        long classifierParameters = 0;
        int bytes = 4;
        for (int i = 0; i < model.ModalityCount; i++)
        {
            using var classifier = model.CreateModalityClassifier(i);
            foreach (var p in classifier.parameters())
            {
                classifierParameters += p.numel();
                bytes = (int)p.ElementSize;
            }
        }
        return new ClassifierFootprint(model.parameters().Sum(p => p.numel()), classifierParameters, bytes, Buffers(classifierOptimizer));
    }

    /// <summary>
    /// <see cref="Of"/> for a model built by <paramref name="create"/> on the meta device (shapes only, no memory): the paper-size
    /// models (BraTS' ResNet-101 has 235 M parameters) are counted in about a second. Switches the default device for the call.
    /// </summary>
    public static ClassifierFootprint OfMeta(Func<MultimodalModel> create, OptimizerSpec classifierOptimizer)
    {
        torch.set_default_device(META);
        try
        {
            using var model = create();
            return Of(model, classifierOptimizer);
        }
        finally
        {
            torch.set_default_device(CPU);
        }
    }

    /// <summary>State buffers per parameter value of an optimizer (PyTorch and TorchSharp keep the same ones).</summary>
    public static int Buffers(OptimizerSpec optimizer) => optimizer.Kind switch
    {
        OptimizerKind.Adam or OptimizerKind.AdamW => 2,
        OptimizerKind.Sgd => optimizer.Momentum > 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer.Kind, "Unknown optimizer."),
    };
}
