using Cggm.Analysis;

namespace Cggm.Tests.Analysis;

public class TsneTests
{
    /// <summary>Three Gaussian clusters in 20-D (σ = 1) whose centres are 20 apart, 30 points each, labelled by cluster.</summary>
    private static (double[][] Points, int[] Labels) Clusters(int perCluster = 30, int seed = 1)
    {
        var rng = new Random(seed);
        var points = new List<double[]>();
        var labels = new List<int>();
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < perCluster; k++)
            {
                var x = new double[20];
                for (int d = 0; d < 20; d++) x[d] = Gaussian(rng) + (d == c ? 20 : 0);
                points.Add(x);
                labels.Add(c);
            }
        return (points.ToArray(), labels.ToArray());
    }

    [Fact]
    public void Well_separated_clusters_stay_separated_and_every_neighbour_is_from_the_same_cluster()
    {
        var (x, labels) = Clusters();
        var result = Tsne.Embed(x, new TsneOptions { Perplexity = 10, Seed = 3 });
        var y = result.Points;
        Assert.Equal(x.Length, y.Length);
        Assert.All(y, p => Assert.Equal(2, p.Length));

        // 5 nearest neighbours in the embedding all share the point's cluster
        for (int i = 0; i < y.Length; i++)
        {
            var nearest = Enumerable.Range(0, y.Length).Where(j => j != i).OrderBy(j => Distance(y[i], y[j])).Take(5);
            Assert.All(nearest, j => Assert.Equal(labels[i], labels[j]));
        }
        // the closest two points of different clusters are further apart than the average spread within a cluster
        double within = Enumerable.Range(0, 3).Average(c =>
        {
            var members = y.Where((_, i) => labels[i] == c).ToArray();
            var centre = new[] { members.Average(p => p[0]), members.Average(p => p[1]) };
            return members.Average(p => Distance(p, centre));
        });
        double between = double.PositiveInfinity;
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < y.Length; j++)
                if (labels[i] != labels[j]) between = Math.Min(between, Distance(y[i], y[j]));
        Assert.True(between > within, $"closest cross-cluster pair {between:G3} vs mean within-cluster spread {within:G3}");
        Assert.True(result.KlDivergence is > 0 and < 1, $"KL(P‖Q) = {result.KlDivergence}");
    }

    [Fact]
    public void Each_conditional_distribution_has_the_requested_perplexity()
    {
        var (x, _) = Clusters(perCluster: 10);
        var d = Tsne.SquaredDistances(x);
        var p = Tsne.JointProbabilities(d, perplexity: 5);
        int n = x.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                total += p[i, j];
                Assert.Equal(p[i, j], p[j, i], 15);   // symmetric
            }
        Assert.Equal(1.0, total, 6);
        // the bisection's β gives each row entropy ln 5: check by recomputing one row with a β found independently
        for (int i = 0; i < n; i += 7)
        {
            double lo = 1e-8, hi = 1e8;
            for (int k = 0; k < 200; k++)
            {
                double mid = Math.Sqrt(lo * hi);
                if (Tsne.Conditional(d, i, mid).Entropy > Math.Log(5)) lo = mid; else hi = mid;
            }
            var (row, entropy) = Tsne.Conditional(d, i, Math.Sqrt(lo * hi));
            Assert.Equal(Math.Log(5), entropy, 4);
            Assert.Equal(1.0, row.Sum(), 12);
            Assert.Equal(0.0, row[i]);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_embedding_and_optimisation_lowers_the_divergence()
    {
        var (x, _) = Clusters(perCluster: 8);
        var a = Tsne.Embed(x, new TsneOptions { Perplexity = 5, Seed = 4 });
        var b = Tsne.Embed(x, new TsneOptions { Perplexity = 5, Seed = 4 });
        Assert.Equal(a.Points.SelectMany(p => p), b.Points.SelectMany(p => p));
        var start = Tsne.Embed(x, new TsneOptions { Perplexity = 5, Seed = 4, Iterations = 1, ExaggerationIterations = 0 });
        Assert.True(a.KlDivergence < start.KlDivergence / 2, $"KL after 1000 iterations {a.KlDivergence:G3} vs after 1 {start.KlDivergence:G3}");
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_point_named()
    {
        Assert.Contains("at least 2 points", Assert.Throws<ArgumentException>(() => Tsne.Embed([[1.0, 2.0]])).Message);
        Assert.Contains("Point 1", Assert.Throws<ArgumentException>(() => Tsne.Embed([[1.0, 2.0], [1.0]])).Message);
        Assert.Contains("Point 0", Assert.Throws<ArgumentException>(() => Tsne.Embed([[double.NaN, 2.0], [1.0, 0.0]])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Embed([[1.0], [2.0]], new TsneOptions { Perplexity = 0 }));
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (u, v) => (u - v) * (u - v)).Sum());

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
