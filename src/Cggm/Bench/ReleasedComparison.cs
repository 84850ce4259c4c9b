using Cggm.Modulation;

namespace Cggm.Bench;

/// <summary>
/// One model of <c>cggm bench --released</c>'s table: our step times beside the released code's, from the same rounds.
/// Times are medians over the rounds of each round's median; ratios are taken within each round and summarised over them.
/// </summary>
/// <param name="Model">The case name (<see cref="BenchCase.Name"/>).</param>
/// <param name="OursJointMs">Our joint-training step (ms).</param>
/// <param name="OursCggm">Our CGGM (the paper's equations) over our joint.</param>
/// <param name="OursCggmReference">Our CGGM as released (cggm-reference) over our joint.</param>
/// <param name="ReleasedJointMs">The released trainer's step without CGGM (ms).</param>
/// <param name="ReleasedCggm">The released CGGM step over the released joint.</param>
/// <param name="OursOverReleasedJoint">Our joint step over the released one (below 1: ours is faster).</param>
public sealed record ReleasedComparisonRow(string Model, double? OursJointMs, RoundRatio? OursCggm, RoundRatio? OursCggmReference,
                                           double? ReleasedJointMs, RoundRatio? ReleasedCggm, RoundRatio? OursOverReleasedJoint)
{
    /// <summary>The table's cells in <see cref="ReleasedComparison.Columns"/> order; <paramref name="ranges"/> adds the per-round min–max of the ratios.</summary>
    public IReadOnlyList<string> Cells(bool ranges)
    {
        static string Ms(double? ms) => ms is { } v ? v.ToString("F1") : "–";
        string Ratio(RoundRatio? r) => r?.Format(ranges) ?? "–";
        return [Model, Ms(OursJointMs), Ratio(OursCggm), Ratio(OursCggmReference), Ms(ReleasedJointMs), Ratio(ReleasedCggm), Ratio(OursOverReleasedJoint)];
    }
}

/// <summary>Our bench rounds beside the released code's (<see cref="ReleasedScript"/>): the rows of the side-by-side table.</summary>
public static class ReleasedComparison
{
    /// <summary>The column headers.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["Model", "Ours joint ms", "Ours cggm × joint", "Ours cggm-reference × joint", "Released joint ms", "Released cggm × joint", "Ours joint / released joint"];

    /// <summary>
    /// One row per model, in first-measured order. Round r of <paramref name="ours"/> pairs with round r of
    /// <paramref name="released"/> (measured back to back) for the ours/released ratio.
    /// </summary>
    public static IReadOnlyList<ReleasedComparisonRow> Rows(IReadOnlyList<IReadOnlyList<StepMeasurement>> ours, IReadOnlyList<IReadOnlyList<StepMeasurement>> released)
    {
        string joint = MethodNames.Joint;
        var (oursCombined, releasedCombined) = (BenchRounds.Combine(ours), BenchRounds.Combine(released));
        return ours.SelectMany(r => r).Concat(released.SelectMany(r => r)).Select(m => m.Model).Distinct().Select(model => new ReleasedComparisonRow(
            model,
            BenchRounds.Find(oursCombined, model, joint)?.MedianMs,
            BenchRounds.Ratio(ours, model, MethodNames.Cggm),
            BenchRounds.Ratio(ours, model, MethodNames.CggmReference),
            BenchRounds.Find(releasedCombined, model, joint)?.MedianMs,
            BenchRounds.Ratio(released, model, MethodNames.Cggm),
            BenchRounds.Summarize(ours.Zip(released).Select(p => (Ours: BenchRounds.Find(p.First, model, joint), Released: BenchRounds.Find(p.Second, model, joint)))
                .Where(p => p.Ours is not null && p.Released is not null).Select(p => p.Ours!.MedianMs / p.Released!.MedianMs)))).ToArray();
    }
}
