using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>One modality of <see cref="SyntheticImbalance"/>.</summary>
/// <param name="Name">Name in tables and charts.</param>
/// <param name="Dim">Input dimension D.</param>
/// <param name="Signal">Signal strength s: distance of the class (or target) signal from the origin, in noise units.</param>
/// <param name="Noise">Standard deviation σ of the isotropic latent noise.</param>
/// <param name="Nonlinearity">p ∈ [0, 1]: a sample's view is mirrored (sign flipped) with probability p/2. At 0 the classes are
/// linearly separable in this modality; at 1 each class is a symmetric two-component mixture (±μ) that only a nonlinear
/// encoder can separate.</param>
public sealed record SyntheticModality(string Name, int Dim, double Signal, double Noise = 1.0, double Nonlinearity = 0.0);

/// <summary>Whether <see cref="SyntheticImbalance"/> asks for a class or a real value.</summary>
public enum SyntheticTarget
{
    /// <summary>Class labels 0..C−1, uniform.</summary>
    Classification,

    /// <summary>A real target y ~ U(−3, 3), like CMU-MOSI sentiment.</summary>
    Regression,
}

/// <summary>Settings of <see cref="SyntheticImbalance"/>; the defaults are the quickstart benchmark.</summary>
public sealed record SyntheticImbalanceOptions
{
    /// <summary>The default pair: a strong, linear modality and a weak, nonlinear one carrying independent evidence.</summary>
    public static IReadOnlyList<SyntheticModality> DefaultModalities { get; } =
    [
        new("strong", Dim: 16, Signal: 1.2, Noise: 1.0, Nonlinearity: 0.0),
        new("weak", Dim: 16, Signal: 0.8, Noise: 1.0, Nonlinearity: 1.0),
    ];

    /// <summary>The modalities, M ≥ 1.</summary>
    public IReadOnlyList<SyntheticModality> Modalities { get; init; } = DefaultModalities;

    /// <summary>Classification or regression.</summary>
    public SyntheticTarget Target { get; init; } = SyntheticTarget.Classification;

    /// <summary>Number of classes (classification).</summary>
    public int Classes { get; init; } = 4;

    /// <summary>Dimension k of each modality's latent signal space before the random linear map to D.</summary>
    public int LatentDim { get; init; } = 8;

    /// <summary>Training samples.</summary>
    public int TrainSize { get; init; } = 2000;

    /// <summary>Validation samples.</summary>
    public int ValidSize { get; init; } = 500;

    /// <summary>Test samples.</summary>
    public int TestSize { get; init; } = 1000;

    /// <summary>Seed of the dataset (prototypes, mixing matrices and samples).</summary>
    public int Seed { get; init; }
}

/// <summary>
/// A synthetic multimodal benchmark with controllable imbalance, deterministic from a seed. For sample n with label y_n
/// and modality m: z = s_m · r · μ_m(y_n) + σ_m · ε, ε ~ N(0, I_k), r = −1 with probability p_m/2 else +1, and
/// x^m = A_m z with a fixed random A_m ∈ ℝ^{D_m×k}. For classification μ_m(c) is a random prototype of norm √k per class;
/// for regression μ_m(y) = (y/3)·u_m with a random direction u_m of norm √k. Given y, modalities are independent, so each
/// carries its own evidence and the fused Bayes error is below every single modality's.
/// With the defaults, the strong modality is linearly separable while the weak one is a ±μ mixture: it needs
/// a nonlinear encoder, learns more slowly, and joint training leaves its encoder under-trained (see the tests).
/// </summary>
public sealed class SyntheticImbalance : IMultimodalDataset, IDisposable
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root.</summary>
    public const string DatasetName = "synthetic";

    private readonly InMemorySplit[] _splits;

    /// <summary>Generates the dataset.</summary>
    public SyntheticImbalance(SyntheticImbalanceOptions? options = null)
    {
        Options = options ?? new SyntheticImbalanceOptions();
        Validate(Options);
        var rng = new Random(Options.Seed);
        int k = Options.LatentDim;
        var mixing = Options.Modalities.Select(m => Gaussian(rng, m.Dim * k, 1.0 / Math.Sqrt(k))).ToArray();
        int prototypesPerModality = Options.Target == SyntheticTarget.Classification ? Options.Classes : 1;
        var prototypes = Options.Modalities.Select(_ => Enumerable.Range(0, prototypesPerModality).Select(_ => Normalized(Gaussian(rng, k, 1.0), Math.Sqrt(k))).ToArray()).ToArray();
        _splits = new[] { Options.TrainSize, Options.ValidSize, Options.TestSize }
            .Select(n => Generate(rng, n, mixing, prototypes)).ToArray();
        Modalities = Options.Modalities.Select(m => new ModalityInfo(m.Name, [m.Dim])).ToArray();
        Label = Options.Target == SyntheticTarget.Classification ? LabelInfo.Classification(Options.Classes) : LabelInfo.Regression();
    }

    /// <summary>The settings it was generated with.</summary>
    public SyntheticImbalanceOptions Options { get; }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label { get; }

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>The split as in-memory tensors.</summary>
    public InMemorySplit Get(Split split) => _splits[(int)split];

    private InMemorySplit Generate(Random rng, int n, double[][] mixing, double[][][] prototypes)
    {
        int k = Options.LatentDim;
        var labels = new long[n];
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            if (Options.Target == SyntheticTarget.Classification) labels[i] = rng.Next(Options.Classes);
            else values[i] = (float)(rng.NextDouble() * 6 - 3);
        }
        var inputs = new Tensor[Options.Modalities.Count];
        for (int m = 0; m < inputs.Length; m++)
        {
            var spec = Options.Modalities[m];
            var x = new float[n * spec.Dim];
            var z = new double[k];
            for (int i = 0; i < n; i++)
            {
                double sign = rng.NextDouble() < spec.Nonlinearity / 2 ? -1 : 1;
                var (mu, scale) = Options.Target == SyntheticTarget.Classification
                    ? (prototypes[m][labels[i]], 1.0)
                    : (prototypes[m][0], values[i] / 3.0);
                for (int j = 0; j < k; j++) z[j] = spec.Signal * sign * scale * mu[j] + spec.Noise * NextGaussian(rng);
                for (int d = 0; d < spec.Dim; d++)
                {
                    double sum = 0;
                    for (int j = 0; j < k; j++) sum += mixing[m][d * k + j] * z[j];
                    x[i * spec.Dim + d] = (float)sum;
                }
            }
            inputs[m] = torch.tensor(x, [n, spec.Dim]);
        }
        var target = Options.Target == SyntheticTarget.Classification ? torch.tensor(labels) : torch.tensor(values);
        return new InMemorySplit(inputs, target);
    }

    private static void Validate(SyntheticImbalanceOptions o)
    {
        if (o.Modalities.Count < 1) throw new ArgumentException("SyntheticImbalance needs at least one modality.");
        foreach (var m in o.Modalities)
        {
            if (m.Dim < 1) throw new ArgumentOutOfRangeException(nameof(o), $"Modality '{m.Name}': Dim must be ≥ 1, got {m.Dim}.");
            if (m.Noise < 0 || !double.IsFinite(m.Noise)) throw new ArgumentOutOfRangeException(nameof(o), $"Modality '{m.Name}': Noise must be ≥ 0, got {m.Noise}.");
            if (!double.IsFinite(m.Signal)) throw new ArgumentOutOfRangeException(nameof(o), $"Modality '{m.Name}': Signal must be finite.");
            if (m.Nonlinearity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(o), $"Modality '{m.Name}': Nonlinearity is a probability in [0, 1], got {m.Nonlinearity}.");
        }
        if (o.Modalities.Select(m => m.Name).Distinct().Count() != o.Modalities.Count) throw new ArgumentException("Modality names must be distinct.");
        if (o.Target == SyntheticTarget.Classification && o.Classes < 2) throw new ArgumentOutOfRangeException(nameof(o), $"Classes must be ≥ 2, got {o.Classes}.");
        if (o.LatentDim < 1) throw new ArgumentOutOfRangeException(nameof(o), $"LatentDim must be ≥ 1, got {o.LatentDim}.");
        if (o.TrainSize < 1 || o.ValidSize < 1 || o.TestSize < 1) throw new ArgumentOutOfRangeException(nameof(o), "Every split needs at least one sample.");
    }

    private static double[] Gaussian(Random rng, int count, double std)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = std * NextGaussian(rng);
        return v;
    }

    private static double[] Normalized(double[] v, double norm)
    {
        double len = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / len * norm).ToArray();
    }

    private static double NextGaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <inheritdoc />
    public void Dispose() { foreach (var s in _splits) s.Dispose(); }
}
