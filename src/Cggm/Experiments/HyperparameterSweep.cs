using System.Globalization;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>CGGM's two hyperparameters (paper Fig. 5).</summary>
public enum CggmHyperparameter
{
    /// <summary>ρ, the scale of the balancing coefficients B (Eq. 7).</summary>
    Rho,

    /// <summary>λ, the weight of the direction loss 𝓛_gm (Eq. 13).</summary>
    Lambda,
}

/// <summary>CGGM at one value of the swept hyperparameter, with its runs over the seeds.</summary>
/// <param name="Value">The value.</param>
/// <param name="Options">The CGGM options it ran.</param>
/// <param name="Runs">One run per seed.</param>
public sealed record SweepPoint(double Value, CggmOptions Options, IReadOnlyList<ExperimentRun> Runs);

/// <summary>A one-parameter sweep of CGGM against joint training.</summary>
/// <param name="Parameter">The swept hyperparameter.</param>
/// <param name="Baseline">Joint training, one run per seed.</param>
/// <param name="Points">CGGM at each value.</param>
public sealed record SweepResult(CggmHyperparameter Parameter, IReadOnlyList<ExperimentRun> Baseline, IReadOnlyList<SweepPoint> Points)
{
    /// <summary>
    /// The improvement of <paramref name="point"/> over joint training in test <paramref name="metric"/>, paired by seed
    /// (the same seed gives both runs the same initial weights and batches): the mean over seeds of
    /// metric(CGGM, seed) − metric(joint, seed) with its 95 % Student-t interval (two or more seeds).
    /// </summary>
    public MeanStd Improvement(SweepPoint point, string metric)
    {
        var baseline = Baseline.ToDictionary(r => r.Seed, r => Value(r, metric));
        var own = point.Runs.ToDictionary(r => r.Seed, r => Value(r, metric));
        if (!own.Keys.Any(baseline.ContainsKey))
            throw new InvalidOperationException($"No seed of {HyperparameterSweep.Symbol(Parameter)} = {point.Value} has a joint-training run to compare with.");
        return MeanStd.Difference(own, baseline);
    }

    private static double Value(ExperimentRun run, string metric) =>
        run.Result.Test.Metrics.TryGetValue(metric, out var v) ? v
            : throw new ArgumentException($"The runs have no test metric '{metric}'; they have {string.Join(", ", run.Result.Test.Metrics.Keys)}.", nameof(metric));
}

/// <summary>
/// The paper's hyperparameter study (Fig. 5, IEMOCAP): CGGM trained at several values of ρ (λ fixed) or of λ (ρ fixed), each
/// reported as its improvement over joint training with the same seed. Runs go to <c>runRoot/joint</c> and
/// <c>runRoot/rho-ρ_lambda-λ/cggm</c>: a folder per (ρ, λ) pair, so the ρ and λ sweeps share the run at the dataset's own
/// (ρ, λ), and finished runs are reused.
/// </summary>
public static class HyperparameterSweep
{
    /// <summary>
    /// Values of ρ we sweep: seven around the dataset's ρ, as Fig. 5a has seven bars peaking at ρ = 1.2 on IEMOCAP. The
    /// paper's exact values are not public as text; these are our choice.
    /// </summary>
    public static IReadOnlyList<double> RhoValues { get; } = [0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5];

    /// <summary>
    /// Values of λ we sweep: six from 0.01 to 0.25, as Fig. 5b has six bars and names λ = 0.01 and λ = 0.25 as the worse ends.
    /// The values in between are our choice.
    /// </summary>
    public static IReadOnlyList<double> LambdaValues { get; } = [0.01, 0.05, 0.1, 0.15, 0.2, 0.25];

    /// <summary>
    /// The values swept at <paramref name="profile"/>: Paper <see cref="RhoValues"/> and <see cref="LambdaValues"/>; Quick
    /// ρ ∈ {1.0, 1.2, 1.4} and λ ∈ {0.01, 0.1, 0.2}; Smoke ρ ∈ {1.0, 1.2} and λ ∈ {0.1, 0.2}. Each set contains IEMOCAP's own
    /// ρ = 1.2 or λ = 0.2, so the two sweeps share that run.
    /// </summary>
    public static IReadOnlyList<double> Values(CggmHyperparameter parameter, Profile profile) => (parameter, profile) switch
    {
        (CggmHyperparameter.Rho, Profile.Paper) => RhoValues,
        (CggmHyperparameter.Rho, Profile.Quick) => [1.0, 1.2, 1.4],
        (CggmHyperparameter.Rho, _) => [1.0, 1.2],
        (_, Profile.Paper) => LambdaValues,
        (_, Profile.Quick) => [0.01, 0.1, 0.2],
        _ => [0.1, 0.2],
    };

    /// <summary>"ρ" or "λ".</summary>
    public static string Symbol(CggmHyperparameter parameter) => parameter == CggmHyperparameter.Rho ? "ρ" : "λ";

    /// <summary>
    /// Runs joint training and CGGM (as the paper writes it) at each of <paramref name="values"/> of <paramref name="parameter"/>,
    /// the other hyperparameter kept at the setup's value, over <paramref name="seeds"/>.
    /// </summary>
    public static SweepResult Run(ExperimentSetup setup, CggmHyperparameter parameter, IReadOnlyList<double> values, IReadOnlyList<int> seeds,
                                  string? runRoot = null, bool resume = true, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (values.Count == 0) throw new ArgumentException("Name at least one value to sweep.", nameof(values));
        int total = (values.Count + 1) * seeds.Count;
        var baseline = ExperimentRunner.Run(setup, [MethodNames.Joint], seeds, runRoot, resume, ComparisonRunner.Shift(progress, 0, total), cancellation);
        var points = new List<SweepPoint>();
        for (int i = 0; i < values.Count; i++)
        {
            var options = With(setup.Methods.Cggm, parameter, values[i]);
            var root = runRoot is null ? null : Path.Combine(runRoot, Folder(options));
            var runs = ExperimentRunner.Run(setup with { Methods = setup.Methods with { Cggm = options } }, [MethodNames.Cggm], seeds, root, resume,
                                            ComparisonRunner.Shift(progress, (i + 1) * seeds.Count, total), cancellation);
            points.Add(new SweepPoint(values[i], options, runs));
        }
        return new SweepResult(parameter, baseline, points);
    }

    /// <summary><paramref name="options"/> with <paramref name="parameter"/> set to <paramref name="value"/>.</summary>
    public static CggmOptions With(CggmOptions options, CggmHyperparameter parameter, double value) =>
        parameter == CggmHyperparameter.Rho ? options with { Rho = value } : options with { Lambda = value };

    /// <summary>The run folder of a (ρ, λ) pair, e.g. <c>rho-1.2_lambda-0.2</c> (<c>rho-none</c> without magnitude modulation).</summary>
    public static string Folder(CggmOptions options) =>
        $"rho-{options.Rho?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}_lambda-{options.Lambda.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// One row per value: the improvement over joint training in test accuracy and weighted F1 (points, paired by seed),
    /// then CGGM's own accuracy and F1 (mean ± std over seeds); the last row is joint training itself.
    /// </summary>
    public static ResultTable Table(SweepResult sweep, string title)
    {
        string symbol = Symbol(sweep.Parameter);
        var rows = sweep.Points.Select(p => new ResultRow($"{symbol} = {p.Value.ToString(CultureInfo.InvariantCulture)}",
        [
            sweep.Improvement(p, "accuracy"), sweep.Improvement(p, "f1_weighted"),
            MeanStd.Of(p.Runs.Select(r => r.Result.Test.Metrics["accuracy"])), MeanStd.Of(p.Runs.Select(r => r.Result.Test.Metrics["f1_weighted"])),
        ])).ToList();
        rows.Add(new ResultRow("joint training (Baseline)",
        [
            null, null,
            MeanStd.Of(sweep.Baseline.Select(r => r.Result.Test.Metrics["accuracy"])), MeanStd.Of(sweep.Baseline.Select(r => r.Result.Test.Metrics["f1_weighted"])),
        ]));
        return new ResultTable(title, [new("ΔAcc (points) [95% CI]"), new("ΔF1 (points) [95% CI]"), new("Acc (%)"), new("F1 (%)")], rows);
    }
}
