namespace Cggm.Analysis;

/// <summary>How well classifier f_i's gradient stands in for the unimodal gradient of modality i, over many batches.</summary>
/// <param name="Modality">Modality name.</param>
/// <param name="ClassifierVsUnimodal">Mean over batches of sim(g_i, u_i): the stand-in against what it stands for.</param>
/// <param name="ClassifierVsOtherUnimodal">Mean of sim(g_i, u_j), j ≠ i: the same classifier against the other modalities' unimodal
/// gradients, the level sim(g_i, u_i) must beat for "close" to mean anything.</param>
/// <param name="FusionVsClassifier">Mean of sim(g_𝓕, g_i): the cosine CGGM's direction term uses (Eq. 12).</param>
/// <param name="FusionVsUnimodal">Mean of sim(g_𝓕, u_i): the cosine it stands in for.</param>
/// <param name="StandInCorrelation">Pearson correlation over batches between sim(g_𝓕, g_i) and sim(g_𝓕, u_i) (NaN with fewer
/// than 3 batches or no variation).</param>
/// <param name="Batches">Batches measured.</param>
public sealed record ModalityAgreement(string Modality, double ClassifierVsUnimodal, double ClassifierVsOtherUnimodal,
                                       double FusionVsClassifier, double FusionVsUnimodal, double StandInCorrelation, int Batches);

/// <summary>
/// Summary numbers behind the paper's Fig. 4 claim that classifier gradients lie close to the unimodal gradients (per modality,
/// from <see cref="UnimodalGradientProbe"/> measurements). The t-SNE picture shows neighbourhoods; these say how close, in the
/// cosine CGGM actually uses.
/// </summary>
public static class GradientAgreement
{
    /// <summary>One row per modality over <paramref name="batches"/>.</summary>
    public static IReadOnlyList<ModalityAgreement> Compute(IReadOnlyList<BatchGradients> batches, IReadOnlyList<string> modalities)
    {
        if (batches.Count == 0) throw new ArgumentException("No batches were measured.", nameof(batches));
        int m = modalities.Count;
        if (batches.Any(b => b.Classifier.Length != m || b.Unimodal.Length != m))
            throw new ArgumentException($"Every batch must hold gradients of {m} modalities ({string.Join(", ", modalities)}).", nameof(batches));
        return Enumerable.Range(0, m).Select(i =>
        {
            var standIn = batches.Select(b => Cosine(b.Fusion, b.Classifier[i])).ToArray();
            var target = batches.Select(b => Cosine(b.Fusion, b.Unimodal[i])).ToArray();
            double others = m < 2 ? double.NaN : batches.Average(b => Enumerable.Range(0, m).Where(j => j != i).Average(j => Cosine(b.Classifier[i], b.Unimodal[j])));
            return new ModalityAgreement(modalities[i], batches.Average(b => Cosine(b.Classifier[i], b.Unimodal[i])), others,
                                         standIn.Average(), target.Average(), Pearson(standIn, target), batches.Count);
        }).ToArray();
    }

    /// <summary>uᵀv / (‖u‖‖v‖), 0 when either vector is zero.</summary>
    public static double Cosine(IReadOnlyList<double> u, IReadOnlyList<double> v)
    {
        if (u.Count != v.Count) throw new ArgumentException($"Cosine of vectors of lengths {u.Count} and {v.Count}.", nameof(v));
        double dot = 0, uu = 0, vv = 0;
        for (int k = 0; k < u.Count; k++) { dot += u[k] * v[k]; uu += u[k] * u[k]; vv += v[k] * v[k]; }
        return uu == 0 || vv == 0 ? 0 : dot / Math.Sqrt(uu * vv);
    }

    /// <summary>Pearson correlation; NaN for fewer than 3 pairs or a constant series.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Correlation of series of lengths {x.Count} and {y.Count}.", nameof(y));
        if (x.Count < 3) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < x.Count; k++) { sxy += (x[k] - mx) * (y[k] - my); sxx += (x[k] - mx) * (x[k] - mx); syy += (y[k] - my) * (y[k] - my); }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>u / ‖u‖ (zeros stay zeros): gradients of different layers differ in scale, and CGGM uses only their direction.</summary>
    public static double[] Normalize(IReadOnlyList<double> u)
    {
        double norm = Math.Sqrt(u.Sum(x => x * x));
        return norm == 0 ? u.ToArray() : u.Select(x => x / norm).ToArray();
    }
}
