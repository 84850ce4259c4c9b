namespace Cggm.Analysis;

/// <summary>Settings of <see cref="Tsne"/>; the defaults are scikit-learn's (1.2+) for exact t-SNE.</summary>
public sealed record TsneOptions
{
    /// <summary>Output dimensions (2 for a scatter plot).</summary>
    public int Dimensions { get; init; } = 2;

    /// <summary>Perplexity, the effective number of neighbours of each point (5–50 is usual; clamped to (N − 1)/3 for tiny inputs).</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Gradient-descent iterations in total.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Early exaggeration α: P is multiplied by α for the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Iterations with exaggeration and momentum 0.5 (then momentum 0.8).</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Learning rate η; null is scikit-learn's "auto", max(N / α / 4, 50) (Belkina et al. 2019).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Seed of the initial embedding, y_i ~ N(0, 10⁻⁴ I).</summary>
    public int Seed { get; init; }

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        if (Dimensions < 1) throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "t-SNE needs at least one output dimension.");
        if (!(Perplexity > 0)) throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "The perplexity must be positive.");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "At least one iteration.");
        if (!(EarlyExaggeration >= 1)) throw new ArgumentOutOfRangeException(nameof(EarlyExaggeration), EarlyExaggeration, "The early exaggeration must be ≥ 1.");
        if (ExaggerationIterations < 0) throw new ArgumentOutOfRangeException(nameof(ExaggerationIterations), ExaggerationIterations, "Cannot be negative.");
        if (LearningRate is { } lr && !(lr > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), lr, "The learning rate must be positive.");
    }
}

/// <summary>A t-SNE embedding and its final Kullback–Leibler divergence KL(P ‖ Q).</summary>
/// <param name="Points">One row per input point, <see cref="TsneOptions.Dimensions"/> coordinates each.</param>
/// <param name="KlDivergence">KL(P ‖ Q) at the end (without exaggeration); lower is a more faithful map of the neighbourhoods.</param>
/// <param name="Perplexity">The perplexity used (after clamping for tiny inputs).</param>
public sealed record TsneResult(double[][] Points, double KlDivergence, double Perplexity);

/// <summary>
/// Exact t-SNE (van der Maaten &amp; Hinton, "Visualizing Data using t-SNE", JMLR 9, 2008), used for the paper's Fig. 4.
/// No t-SNE package is served to this project, so it is written here; it is O(N²) per iteration, fine for the few hundred
/// per-batch gradients of Fig. 4.
/// <list type="number">
/// <item>p_{j|i} = exp(−β_i‖x_i − x_j‖²) / Σ_{k≠i} exp(−β_i‖x_i − x_k‖²), β_i found by bisection so that the entropy
/// H(P_i) = −Σ_j p_{j|i} ln p_{j|i} equals ln(perplexity).</item>
/// <item>p_ij = (p_{j|i} + p_{i|j}) / 2N (symmetric SNE).</item>
/// <item>q_ij = (1 + ‖y_i − y_j‖²)⁻¹ / Σ_{k≠l}(1 + ‖y_k − y_l‖²)⁻¹ (Student-t with one degree of freedom).</item>
/// <item>∂KL/∂y_i = 4 Σ_j (p_ij − q_ij)(1 + ‖y_i − y_j‖²)⁻¹ (y_i − y_j); gradient descent with momentum (0.5, then 0.8),
/// per-coordinate adaptive gains (+0.2 on a sign change, ×0.8 otherwise, at least 0.01; Jacobs 1988), early exaggeration
/// of P, and the embedding re-centred after each step.</item>
/// </list>
/// </summary>
public static class Tsne
{
    private const double MinProbability = 1e-12;

    /// <summary>Embeds <paramref name="points"/> (N rows of equal length, N ≥ 2).</summary>
    public static TsneResult Embed(IReadOnlyList<double[]> points, TsneOptions? options = null)
    {
        options ??= new TsneOptions();
        options.Validate();
        int n = points.Count;
        if (n < 2) throw new ArgumentException($"t-SNE needs at least 2 points; got {n}.", nameof(points));
        int dim = points[0].Length;
        for (int i = 0; i < n; i++)
        {
            if (points[i].Length != dim) throw new ArgumentException($"Point {i} has {points[i].Length} coordinates, point 0 has {dim}; all must have the same length.", nameof(points));
            if (points[i].Any(v => !double.IsFinite(v))) throw new ArgumentException($"Point {i} has a non-finite coordinate.", nameof(points));
        }
        double perplexity = Math.Min(options.Perplexity, Math.Max(1.0, (n - 1) / 3.0));
        var p = JointProbabilities(SquaredDistances(points), perplexity);
        var embedding = Optimize(p, n, options);
        return new TsneResult(embedding, KlDivergence(p, embedding), perplexity);
    }

    /// <summary>‖x_i − x_j‖² for all pairs, as an N×N array.</summary>
    internal static double[,] SquaredDistances(IReadOnlyList<double[]> x)
    {
        int n = x.Count;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = 0;
                var a = x[i];
                var b = x[j];
                for (int k = 0; k < a.Length; k++) { double t = a[k] - b[k]; s += t * t; }
                d[i, j] = d[j, i] = s;
            }
        return d;
    }

    /// <summary>The conditional p_{j|i} of row <paramref name="i"/> at precision <paramref name="beta"/>, and its entropy (nats).</summary>
    internal static (double[] P, double Entropy) Conditional(double[,] distances, int i, double beta)
    {
        int n = distances.GetLength(0);
        var row = new double[n];
        double min = double.PositiveInfinity;
        for (int j = 0; j < n; j++) if (j != i) min = Math.Min(min, distances[i, j]);
        double sum = 0, weighted = 0;
        for (int j = 0; j < n; j++)
        {
            if (j == i) continue;
            double shifted = distances[i, j] - min;   // shifting all distances leaves p_{j|i} unchanged and avoids underflow
            row[j] = Math.Exp(-beta * shifted);
            sum += row[j];
            weighted += row[j] * shifted;
        }
        for (int j = 0; j < n; j++) row[j] /= sum;
        // H = ln Σ e^{−βd'} + β Σ p d'   (d' the shifted distances)
        return (row, Math.Log(sum) + beta * weighted / sum);
    }

    /// <summary>p_{j|i} with β_i bisected to entropy ln(perplexity), then symmetrised: p_ij = (p_{j|i} + p_{i|j}) / 2N.</summary>
    internal static double[,] JointProbabilities(double[,] distances, double perplexity)
    {
        int n = distances.GetLength(0);
        double target = Math.Log(perplexity);
        var conditional = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            double beta = 1, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            var (row, entropy) = Conditional(distances, i, beta);
            for (int step = 0; step < 200 && Math.Abs(entropy - target) > 1e-5; step++)
            {
                // Entropy falls as β grows: too high an entropy means too wide a kernel.
                if (entropy > target) { lo = beta; beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2; }
                else { hi = beta; beta = double.IsNegativeInfinity(lo) ? beta / 2 : (beta + lo) / 2; }
                (row, entropy) = Conditional(distances, i, beta);
            }
            for (int j = 0; j < n; j++) conditional[i, j] = row[j];
        }
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p[i, j] = i == j ? 0 : Math.Max((conditional[i, j] + conditional[j, i]) / (2.0 * n), MinProbability);
        return p;
    }

    private static double[][] Optimize(double[,] p, int n, TsneOptions o)
    {
        int d = o.Dimensions;
        double eta = o.LearningRate ?? Math.Max(n / o.EarlyExaggeration / 4, 50);
        var rng = new Random(o.Seed);
        var y = new double[n][];
        for (int i = 0; i < n; i++) y[i] = Enumerable.Range(0, d).Select(_ => 1e-2 * Gaussian(rng)).ToArray();   // std 1e-2, variance 1e-4
        var update = Enumerable.Range(0, n).Select(_ => new double[d]).ToArray();
        var gains = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(1.0, d).ToArray()).ToArray();
        var num = new double[n, n];
        var grad = Enumerable.Range(0, n).Select(_ => new double[d]).ToArray();
        for (int it = 0; it < o.Iterations; it++)
        {
            bool early = it < o.ExaggerationIterations;
            double exaggeration = early ? o.EarlyExaggeration : 1, momentum = early ? 0.5 : 0.8;
            double sum = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double s = 0;
                    for (int k = 0; k < d; k++) { double t = y[i][k] - y[j][k]; s += t * t; }
                    num[i, j] = num[j, i] = 1 / (1 + s);
                    sum += 2 * num[i, j];
                }
            for (int i = 0; i < n; i++)
            {
                Array.Clear(grad[i]);
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double q = Math.Max(num[i, j] / sum, MinProbability);
                    double f = 4 * (exaggeration * p[i, j] - q) * num[i, j];
                    for (int k = 0; k < d; k++) grad[i][k] += f * (y[i][k] - y[j][k]);
                }
            }
            for (int i = 0; i < n; i++)
                for (int k = 0; k < d; k++)
                {
                    gains[i][k] = Math.Sign(grad[i][k]) != Math.Sign(update[i][k]) ? gains[i][k] + 0.2 : Math.Max(gains[i][k] * 0.8, 0.01);
                    update[i][k] = momentum * update[i][k] - eta * gains[i][k] * grad[i][k];
                    y[i][k] += update[i][k];
                }
            for (int k = 0; k < d; k++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += y[i][k];
                mean /= n;
                for (int i = 0; i < n; i++) y[i][k] -= mean;
            }
        }
        return y;
    }

    /// <summary>KL(P ‖ Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij) of an embedding.</summary>
    internal static double KlDivergence(double[,] p, double[][] y)
    {
        int n = y.Length;
        var num = new double[n, n];
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                double s = 0;
                for (int k = 0; k < y[i].Length; k++) { double t = y[i][k] - y[j][k]; s += t * t; }
                num[i, j] = 1 / (1 + s);
                sum += num[i, j];
            }
        double kl = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) kl += p[i, j] * Math.Log(p[i, j] / Math.Max(num[i, j] / sum, MinProbability));
        return kl;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
