using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>One rung of the ladder from the paper's CGGM to the released one: the previous rung with one quirk of the released
/// code added.</summary>
/// <param name="Key">Short key (run folder name).</param>
/// <param name="Label">Row label.</param>
/// <param name="Quirk">The quirk this rung adds (empty for the first rung and for joint training).</param>
/// <param name="Method">Registry name ("cggm", "cggm-reference", "joint").</param>
/// <param name="Cggm">CGGM options of the rung.</param>
/// <param name="ShuffleTrain">Whether training batches are reshuffled every epoch.</param>
public sealed record QuirkRung(string Key, string Label, string Quirk, string Method, CggmOptions Cggm, bool ShuffleTrain);

/// <summary>What the history of one run says about the released code's instability of Eq. 7.</summary>
/// <param name="Steps">Steps recorded.</param>
/// <param name="ZeroSumSteps">Steps where Σ_k Δε_k was 0 (|Σ| &lt; 10⁻¹²; accuracies are multiples of 1/batch), where the released
/// code's B explodes.</param>
/// <param name="NegativeBSteps">Steps where some B_i &lt; 0 (an encoder's gradient reversed).</param>
/// <param name="MaxAbsB">The largest |B_i| of the run.</param>
public sealed record QuirkCounts(int Steps, int ZeroSumSteps, int NegativeBSteps, double MaxAbsB)
{
    /// <summary>Reads the counts from a run's history (B and Δε per step).</summary>
    public static QuirkCounts Of(TrainingHistory history)
    {
        var steps = history.Steps.Where(s => s.DeltaUtilization is not null && s.Coefficients is not null).ToArray();
        return new QuirkCounts(steps.Length, steps.Count(s => Math.Abs(s.DeltaUtilization!.Sum()) < 1e-12), steps.Count(s => s.Coefficients!.Any(b => b < 0)),
            steps.Length == 0 ? 0 : steps.Max(s => s.Coefficients!.Max(Math.Abs)));
    }
}

/// <summary>The test metric a comparison selects and compares on, and its column (each dataset's <see cref="DatasetDescriptor.Metric"/>).</summary>
/// <param name="Column">Header and formatting.</param>
/// <param name="Metric">Metric key as the task names it ("accuracy", "acc2", "dice_avg").</param>
public sealed record LadderMetric(ResultColumn Column, string Metric);

/// <summary>The ladder's runs and tables.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Profile">Profile.</param>
/// <param name="IsSample">True on sample data.</param>
/// <param name="Metric">The metric compared (test set) and its column.</param>
/// <param name="Rungs">The rungs, joint training first, then from the paper to the released code.</param>
/// <param name="Seeds">Seeds (the same for every rung: differences are paired by seed).</param>
/// <param name="Runs">Runs per rung key.</param>
/// <param name="Table">Per rung: the metric, its change from the previous rung (paired by seed), and the Eq. 7 counts.</param>
public sealed record PaperVsReferenceResult(DatasetDescriptor Dataset, Profile Profile, bool IsSample, LadderMetric Metric, IReadOnlyList<QuirkRung> Rungs,
                                            IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, IReadOnlyList<ExperimentRun>> Runs, ResultTable Table);

/// <summary>
/// CGGM as the paper writes it against CGGM as github.com/zrguo/CGGM @21e428c runs it, on the same data, settings and seeds,
/// with each quirk of the released code measured on its own: a ladder of runs in which each rung adds one quirk to the previous
/// one, so the change between two rungs is that quirk's effect (and the sum of the changes is the whole gap).
/// <list type="number">
/// <item><b>Paper</b>: Eq. 6–13 as written (gradient cosines, ρ in B everywhere, 𝓛_gm in the same step, guard on), batches
/// reshuffled every epoch.</item>
/// <item><b>+ unshuffled batches</b>: the released loaders never shuffle (<c>datasets/dataloader.py</c>), so Δε compares the same
/// pairs of consecutive batches every epoch.</item>
/// <item><b>+ 1e-8 epsilon instead of the guard</b>: when Σ_k Δε_k = 0 (often: accuracies are multiples of 1/batch) the released
/// B_i = (Σd + 1e-8 − d_i)/(Σd + 1e-8) jumps to about ±10⁶ (<see cref="QuirkCounts"/> counts how often).</item>
/// <item><b>+ ρ on the encoders only</b>: the released 𝓛_gm uses B without ρ; exactly the Paper variant at λ/ρ.</item>
/// <item><b>+ weight cosine</b>: sim(W_𝓕, W_{f_i}) on the output-layer weights instead of their gradients
/// (<see cref="CggmOptions.Similarity"/> = Weights; the author's answer in zrguo/CGGM#3).</item>
/// <item><b>+ one-step lag = Reference</b>: 𝓛_gm of step t joins the loss of step t + 1 (<see cref="CggmVariant.Reference"/>);
/// this rung is the released code.</item>
/// </list>
/// Joint training on the same seeds is the first row, for scale. ε on consecutive training batches is common to both variants
/// (Algorithm 1 also does it) and so is not a rung.
/// </summary>
public static class PaperVsReference
{
    /// <summary>The default dataset: UPMC-Food 101.</summary>
    public static DatasetDescriptor DefaultDataset => DatasetRegistry.Food101;

    /// <summary>Seeds of a profile: Smoke 0; Quick 0–1 (seven rungs each); Paper 0–4.</summary>
    public static IReadOnlyList<int> Seeds(Profile profile) => profile == Profile.Quick ? [0, 1] : PaperExperiment.Seeds(profile);

    /// <summary>The ladder for the dataset's CGGM options (λ and ρ of the paper settings).</summary>
    public static IReadOnlyList<QuirkRung> Rungs(CggmOptions cggm)
    {
        var paper = cggm with { Variant = CggmVariant.Paper, Guard = true, Similarity = DirectionSimilarity.Gradients };
        var noGuard = paper with { Guard = false };
        var rhoOutside = noGuard with { Lambda = cggm.Rho is { } rho ? cggm.Lambda / rho : cggm.Lambda };
        var weights = rhoOutside with { Similarity = DirectionSimilarity.Weights };
        var reference = cggm with { Variant = CggmVariant.Reference, Guard = null, Similarity = null };
        return
        [
            new(MethodNames.Joint, "joint training", "", MethodNames.Joint, cggm, ShuffleTrain: false),
            new("paper", "Paper (Eq. 6–13), shuffled batches", "", MethodNames.Cggm, paper, ShuffleTrain: true),
            new("unshuffled", "+ unshuffled batches", "unshuffled batches", MethodNames.Cggm, paper, ShuffleTrain: false),
            new("epsilon", "+ 1e-8 epsilon, no guard", "1e-8 epsilon instead of a guard when Σ Δε = 0", MethodNames.Cggm, noGuard, ShuffleTrain: false),
            new("rho", $"+ ρ on encoders only (λ/ρ = {rhoOutside.Lambda:G4})", "ρ placement: not in 𝓛_gm", MethodNames.Cggm, rhoOutside, ShuffleTrain: false),
            new("weights", "+ weight cosine", "cosine of output-layer weights, not gradients", MethodNames.Cggm, weights, ShuffleTrain: false),
            new("reference", "+ one-step lag = Reference (released code)", "𝓛_gm from the previous step", MethodNames.CggmReference, reference, ShuffleTrain: false),
        ];
    }

    /// <summary>
    /// Trains every rung × seed on <paramref name="dataset"/> (default <see cref="DefaultDataset"/>), comparing its
    /// <see cref="DatasetDescriptor.Metric"/>; runs are kept under <paramref name="runRoot"/>/&lt;rung&gt; and resumed.
    /// </summary>
    public static PaperVsReferenceResult Run(Profile profile, string? dataRoot = null, DatasetDescriptor? dataset = null, string? runRoot = null,
                                             IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default, IReadOnlyList<int>? seeds = null)
    {
        dataset ??= DefaultDataset;
        var settings = PaperExperiment.Settings(dataset, profile);
        seeds ??= Seeds(profile);
        using var data = PaperExperiment.OpenData(dataset, profile, dataRoot);
        var rungs = Rungs(settings.Cggm);
        var runs = new Dictionary<string, IReadOnlyList<ExperimentRun>>();
        for (int r = 0; r < rungs.Count; r++)
        {
            var rung = rungs[r];
            var setup = (settings with { ShuffleTrain = rung.ShuffleTrain }).Setup(data.Data, dataset.Name);
            setup = setup with { Methods = setup.Methods with { Cggm = rung.Cggm } };
            int offset = r * seeds.Count, total = rungs.Count * seeds.Count;
            var relay = progress is null ? null : new Relay<RecipeProgress>(p => progress.Report(p with { Method = rung.Label, RunIndex = offset + p.RunIndex, RunCount = total }));
            runs[rung.Key] = ExperimentRunner.Run(setup, [rung.Method], seeds, runRoot is null ? null : Path.Combine(runRoot, rung.Key), resume: true, relay, cancellation);
        }
        var metric = dataset.Metric;
        return new PaperVsReferenceResult(dataset, profile, data.IsSample, metric, rungs, seeds, runs, Table(dataset, profile, data.IsSample, metric, rungs, runs));
    }

    /// <summary>
    /// One row per rung: the test metric (mean ± std over seeds), its change from the previous rung (mean ± std of the per-seed
    /// differences with a 95 % Student-t interval; the first CGGM rung is compared with joint training), the share of steps with Σ Δε = 0 and with a negative
    /// B, and the largest |B| (means over seeds).
    /// </summary>
    public static ResultTable Table(DatasetDescriptor dataset, Profile profile, bool isSample, LadderMetric metric, IReadOnlyList<QuirkRung> rungs,
                                    IReadOnlyDictionary<string, IReadOnlyList<ExperimentRun>> runs)
    {
        double? Value(ExperimentRun r) => r.Result.Test.Metrics.TryGetValue(metric.Metric, out var v) ? v : null;
        var columns = new[]
        {
            metric.Column,
            new ResultColumn($"Δ {metric.Column.Header.Replace(" (%)", "")} vs previous row (pp) [95% CI]", metric.Column.Scale, metric.Column.Decimals),
            new ResultColumn("Steps with Σ Δε = 0 (%)"),
            new ResultColumn("Steps with some B < 0 (%)"),
            new ResultColumn("Max |B|", 1, 1),
        };
        var rows = new List<ResultRow>();
        for (int r = 0; r < rungs.Count; r++)
        {
            var own = runs[rungs[r].Key];
            var previous = r == 0 ? null : runs[rungs[r - 1].Key];
            var delta = previous is null ? null : Paired(own, previous, Value);
            var counts = own.Select(x => QuirkCounts.Of(x.Result.History)).ToArray();
            bool cggm = rungs[r].Method != MethodNames.Joint;
            rows.Add(new ResultRow(rungs[r].Label,
            [
                Aggregate(own.Select(Value)),
                delta,
                cggm ? MeanStd.Of(counts.Select(c => c.Steps == 0 ? 0 : (double)c.ZeroSumSteps / c.Steps)) : null,
                cggm ? MeanStd.Of(counts.Select(c => c.Steps == 0 ? 0 : (double)c.NegativeBSteps / c.Steps)) : null,
                cggm ? MeanStd.Of(counts.Select(c => c.MaxAbsB)) : null,
            ]));
        }
        string title = $"{dataset.DisplayName}: the paper's CGGM to the released one, one quirk per row " +
                       $"(test set; {profile.ToString().ToLowerInvariant()} profile{(isSample ? ", sample data: not the paper's numbers" : "")})";
        return new ResultTable(title, columns, rows);
    }

    /// <summary>The paired difference <paramref name="a"/> − <paramref name="b"/> by seed with its 95 % interval; null when no seed has both.</summary>
    private static MeanStd? Paired(IReadOnlyList<ExperimentRun> a, IReadOnlyList<ExperimentRun> b, Func<ExperimentRun, double?> value)
    {
        Dictionary<int, double> BySeed(IReadOnlyList<ExperimentRun> runs) =>
            runs.Select(r => (r.Seed, V: value(r))).Where(x => x.V is not null).ToDictionary(x => x.Seed, x => x.V!.Value);
        var (x, y) = (BySeed(a), BySeed(b));
        return x.Keys.Any(y.ContainsKey) ? MeanStd.Difference(x, y) : null;
    }

    private static MeanStd? Aggregate(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null).Select(x => x!.Value).ToArray();
        return v.Length == 0 ? null : MeanStd.Of(v);
    }
}
