using static TorchSharp.torch;

namespace Cggm.Metrics;

/// <summary>Accumulates predictions over an evaluation pass and computes named metrics at the end.</summary>
public abstract class MetricAccumulator
{
    /// <summary>Adds one batch of predictions and targets (copied to the host).</summary>
    public abstract void Add(Tensor prediction, Tensor target);

    /// <summary>Number of samples added so far.</summary>
    public abstract int Count { get; }

    /// <summary>The metrics over everything added, by name (for example "accuracy", "f1_weighted").</summary>
    public abstract IReadOnlyDictionary<string, double> Compute();

    /// <summary>Copies a tensor to a host float array (one device-to-host transfer).</summary>
    protected static float[] ToHost(Tensor t) => t.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    /// <summary>Copies an integer tensor to a host long array.</summary>
    protected static long[] ToHostLong(Tensor t) => t.detach().to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
}
