using System.Globalization;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>What notebook 12 runs at a profile.</summary>
/// <param name="Seeds">Seeds of the ladder, the ablation and the sweeps (differences paired by seed).</param>
/// <param name="ImbalanceSeeds">Seeds of the controlled-imbalance study.</param>
/// <param name="Regimes">Its regimes.</param>
/// <param name="Arms">Its arms (null: <see cref="ImbalanceStudy.Arms"/> for the settings' CGGM options).</param>
/// <param name="Rho">The ρ values swept (λ at the settings' value).</param>
/// <param name="Lambda">The λ values swept (ρ at the settings' value).</param>
/// <param name="Threads">Torch CPU threads while it runs (restored afterwards), as the audio-visual digits experiment: one (a step of
/// this small model is faster on one thread than split over two); null leaves libtorch's default.</param>
public sealed record WhenDoesCggmHelpConfig(IReadOnlyList<int> Seeds, IReadOnlyList<int> ImbalanceSeeds, IReadOnlyList<ImbalanceRegime> Regimes,
                                            IReadOnlyList<StudyArm>? Arms, IReadOnlyList<double> Rho, IReadOnlyList<double> Lambda, int? Threads = 1)
{
    /// <summary>
    /// Paper: 20 epochs, 5 seeds everywhere, every regime. Quick (the default; 8 epochs): the ladder, the ablation and the sweeps
    /// with 5 seeds, the imbalance study with 3 seeds and every regime but 20 dB (to stay within 30 minutes on 2 cores). Smoke: 1 seed, 1 epoch on a small random subset, two
    /// regimes and fewer arms and sweep values.
    /// </summary>
    public static WhenDoesCggmHelpConfig For(Profile profile)
    {
        var seeds = PaperExperiment.Seeds(DatasetRegistry.AvDigits, profile);
        var rho = HyperparameterSweep.Values(CggmHyperparameter.Rho, profile);
        var lambda = HyperparameterSweep.Values(CggmHyperparameter.Lambda, profile);
        return profile switch
        {
            Profile.Smoke => new(seeds, seeds, [ImbalanceStudy.Regimes[1], ImbalanceStudy.Regimes[^1]],
                                 ImbalanceStudy.Arms(DatasetRegistry.AvDigits.PaperSettings.Cggm, []).Take(6).ToArray(), [1.2], [0.2]),
            Profile.Quick => new(seeds, [0, 1, 2], ImbalanceStudy.Regimes.Where(r => r.Key != "audio-snr20").ToArray(), null, rho, lambda),
            _ => new(seeds, seeds, ImbalanceStudy.Regimes, null, rho, lambda),
        };
    }
}

/// <summary>Everything notebook 12 measured.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="IsSample">True on sample data (Smoke without the real data): the numbers mean nothing.</param>
/// <param name="Describe">What the profile ran, in one line.</param>
/// <param name="Config">Seeds, regimes, arms and sweep values.</param>
/// <param name="Ladder">The paper's CGGM to the released one, one quirk at a time.</param>
/// <param name="Ablation">Magnitude only, direction only and both, for each variant (runs named by row).</param>
/// <param name="Rho">The ρ sweep.</param>
/// <param name="Lambda">The λ sweep.</param>
/// <param name="Imbalance">The controlled-imbalance study.</param>
public sealed record WhenDoesCggmHelpResult(Profile Profile, bool IsSample, string Describe, WhenDoesCggmHelpConfig Config, PaperVsReferenceResult Ladder,
                                            IReadOnlyDictionary<string, IReadOnlyList<ExperimentRun>> Ablation, SweepResult Rho, SweepResult Lambda,
                                            ImbalanceResult Imbalance)
{
    private string Suffix => $"audio-visual digits, {Profile.ToString().ToLowerInvariant()} profile" + (IsSample ? "; SAMPLE data: the numbers mean nothing" : "");

    /// <summary>
    /// The ladder with intervals: each rung's accuracy, its difference from joint training and from the previous rung (paired by
    /// seed, 95 % Student-t interval), and how often Eq. 7 degenerated (Σ Δε = 0) or reversed a gradient (some B &lt; 0).
    /// </summary>
    public ResultTable LadderTable()
    {
        var joint = Ladder.Runs[Ladder.Rungs[0].Key];
        var rows = new List<ResultRow>();
        for (int r = 0; r < Ladder.Rungs.Count; r++)
        {
            var rung = Ladder.Rungs[r];
            var own = Ladder.Runs[rung.Key];
            var counts = own.Select(x => QuirkCounts.Of(x.Result.History)).ToArray();
            bool cggm = rung.Method != MethodNames.Joint;
            rows.Add(new ResultRow(rung.Label,
            [
                MeanStd.Of(own.Select(x => x.Result.Test.Metrics["accuracy"])),
                cggm ? MeanStd.Difference(own, joint) : null,
                r > 1 ? MeanStd.Difference(own, Ladder.Runs[Ladder.Rungs[r - 1].Key]) : null,
                cggm ? MeanStd.Of(counts.Select(c => c.Steps == 0 ? 0 : (double)c.ZeroSumSteps / c.Steps)) : null,
                cggm ? MeanStd.Of(counts.Select(c => c.Steps == 0 ? 0 : (double)c.NegativeBSteps / c.Steps)) : null,
            ]));
        }
        return new ResultTable($"The paper's CGGM to the released one, one quirk per row ({Suffix})",
            [new("Acc (%)"), new("vs joint (pp) [95% CI]"), new("vs previous row (pp) [95% CI]"), new("steps Σ Δε = 0 (%)", 100, 1), new("steps some B < 0 (%)", 100, 1)], rows);
    }

    /// <summary>Joint training, magnitude only, direction only and both, for each CGGM variant: accuracy, gain over joint, each classifier's accuracy.</summary>
    public ResultTable AblationTable()
    {
        var jointLabel = CggmAblation.Rows(new CggmOptions())[0].Label;
        var joint = Ablation.Values.First().Where(r => r.Method == jointLabel).ToArray();
        var rows = new List<ResultRow>();
        foreach (var (variant, runs) in Ablation)
            foreach (var group in runs.GroupBy(r => r.Method))
            {
                bool isJoint = group.Key == jointLabel;
                if (isJoint && rows.Count > 0) continue;
                rows.Add(new ResultRow(isJoint ? group.Key : $"{variant}: {group.Key}",
                [
                    MeanStd.Of(group.Select(r => r.Result.Test.Metrics["accuracy"])),
                    isJoint ? null : MeanStd.Difference(group, joint),
                    MeanStd.Of(group.Select(r => r.Result.Test.PerModality[0]["accuracy"])),
                    MeanStd.Of(group.Select(r => r.Result.Test.PerModality[1]["accuracy"])),
                ]));
            }
        return new ResultTable($"Magnitude, direction, both (paper Table 6) ({Suffix})",
            [new("Acc (%)"), new("vs joint (pp) [95% CI]"), new("f(image) Acc (%)"), new("f(audio) Acc (%)")], rows);
    }

    /// <summary>One sweep: per value, the accuracy and its gain over joint training (paired by seed, 95 % interval).</summary>
    public ResultTable SweepTable(CggmHyperparameter parameter)
    {
        var sweep = parameter == CggmHyperparameter.Rho ? Rho : Lambda;
        var symbol = HyperparameterSweep.Symbol(parameter);
        var rows = sweep.Points.Select(p => new ResultRow($"{symbol} = {p.Value.ToString(CultureInfo.InvariantCulture)}",
            [MeanStd.Of(p.Runs.Select(r => r.Result.Test.Metrics["accuracy"])), sweep.Improvement(p, "accuracy")])).ToList();
        rows.Add(new ResultRow("joint training", [MeanStd.Of(sweep.Baseline.Select(r => r.Result.Test.Metrics["accuracy"])), null]));
        return new ResultTable($"CGGM (paper) at several {symbol} ({Suffix})", [new("Acc (%)"), new("vs joint (pp) [95% CI]")], rows);
    }
}

/// <summary>
/// When does CGGM help? On real data (the audio-visual digits, <see cref="DatasetRegistry.AvDigits"/>): the paper-vs-released
/// ladder (<see cref="PaperVsReference"/>), the magnitude/direction ablation (<see cref="CggmAblation"/>, both variants), the ρ
/// and λ sweeps (<see cref="HyperparameterSweep"/>), each with 95 % intervals paired by seed, and the controlled-imbalance study
/// (<see cref="ImbalanceStudy"/>). Runs go to <c>runs/when-does-cggm-help/&lt;profile&gt;/</c>: <c>ladder/</c>, the clean regime
/// <c>imbalance/clean/</c> (shared with the ablation and the sweeps' joint runs, which train the same clean runs), and the other
/// regimes beside it.
/// </summary>
public static class WhenDoesCggmHelp
{
    /// <summary>The experiment's name (its run folder and reproduction).</summary>
    public const string Name = "when-does-cggm-help";

    /// <summary>Runs everything at <paramref name="profile"/> (<see cref="WhenDoesCggmHelpConfig.For"/>), resuming finished runs.</summary>
    public static WhenDoesCggmHelpResult Run(Profile profile, string? dataRoot = null, WhenDoesCggmHelpConfig? config = null, string? runRoot = null,
                                             IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        config ??= WhenDoesCggmHelpConfig.For(profile);
        int threads = TorchSharp.torch.get_num_threads();
        if (config.Threads is { } t) TorchSharp.torch.set_num_threads(t);
        try
        {
            return Run(profile, dataRoot, config, runRoot, progress, cancellation, DatasetRegistry.AvDigits);
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
        }
    }

    private static WhenDoesCggmHelpResult Run(Profile profile, string? dataRoot, WhenDoesCggmHelpConfig config, string? runRoot,
                                              IProgress<RecipeProgress>? progress, CancellationToken cancellation, DatasetDescriptor dataset)
    {
        var (setup, data) = PaperExperiment.Setup(dataset, profile, dataRoot);
        using var _ = data;
        var root = runRoot ?? PaperComparison.RunRoot(Name, profile, data.IsSample);
        var clean = Path.Combine(root, "imbalance", "clean");
        var seeds = config.Seeds;
        var arms = config.Arms ?? ImbalanceStudy.Arms(setup.Methods.Cggm);
        int ablationSlots = CggmAblation.Rows(setup.Methods.Cggm).Count * seeds.Count;   // per variant: each reports its joint rows too
        int ladder = PaperVsReference.Rungs(setup.Methods.Cggm).Count * seeds.Count, ablation = 2 * ablationSlots;
        int sweeps = (config.Rho.Count + config.Lambda.Count + 2) * seeds.Count;
        int imbalance = config.Regimes.Count * arms.Count * config.ImbalanceSeeds.Count, total = ladder + ablation + sweeps + imbalance;

        var ladderResult = PaperVsReference.Run(profile, dataRoot, dataset, Path.Combine(root, "ladder"), ComparisonRunner.Shift(progress, 0, total), cancellation, seeds);
        var ablationRuns = new Dictionary<string, IReadOnlyList<ExperimentRun>>
        {
            ["paper"] = CggmAblation.Run(setup, MethodNames.Cggm, seeds, clean, true, ComparisonRunner.Shift(progress, ladder, total), cancellation),
            ["released"] = CggmAblation.Run(setup, MethodNames.CggmReference, seeds, clean, true, ComparisonRunner.Shift(progress, ladder + ablationSlots, total), cancellation),
        };
        int offset = ladder + ablation;
        var rho = HyperparameterSweep.Run(setup, CggmHyperparameter.Rho, config.Rho, seeds, clean, true, ComparisonRunner.Shift(progress, offset, total), cancellation);
        var lambda = HyperparameterSweep.Run(setup, CggmHyperparameter.Lambda, config.Lambda, seeds, clean, true,
                                             ComparisonRunner.Shift(progress, offset + (config.Rho.Count + 1) * seeds.Count, total), cancellation);
        var budget = dataset.Budget(profile);
        var imbalanceResult = ImbalanceStudy.Run(data.Root, data.IsSample, (AvDigitsSettings)PaperExperiment.Settings(dataset, profile), config.Regimes, arms,
            config.ImbalanceSeeds, budget, Path.Combine(root, "imbalance"), ComparisonRunner.Shift(progress, offset + sweeps, total), cancellation);
        return new WhenDoesCggmHelpResult(profile, data.IsSample, PaperExperiment.Describe(dataset, profile), config, ladderResult, ablationRuns, rho, lambda, imbalanceResult);
    }
}
