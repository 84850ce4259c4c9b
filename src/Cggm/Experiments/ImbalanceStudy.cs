using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>One regime of the controlled-imbalance study: a degradation of the audio-visual digits.</summary>
/// <param name="Key">Short key (run folder name).</param>
/// <param name="Label">Row label, e.g. "audio at 5 dB SNR".</param>
/// <param name="Degradation">What is degraded, and how much.</param>
public sealed record ImbalanceRegime(string Key, string Label, AvDigitsDegradation Degradation);

/// <summary>One arm of a study: a registered method, with its own CGGM options when it differs from the settings' (a variant).</summary>
/// <param name="Key">Short key: the run folder is <c>&lt;root&gt;/[&lt;Key&gt;/]&lt;method&gt;/seed-n</c>, without the key when it is the method's own name.</param>
/// <param name="Label">Row label.</param>
/// <param name="Method">Registry name (<see cref="MethodNames"/>).</param>
/// <param name="Cggm">CGGM options replacing the settings' (for CGGM variants), or null.</param>
/// <param name="Modality">The modality kept by unimodal training.</param>
public sealed record StudyArm(string Key, string Label, string Method, CggmOptions? Cggm = null, int Modality = 0)
{
    /// <summary>True for the two CGGM methods (the arms whose history holds B).</summary>
    public bool IsCggm => Method is MethodNames.Cggm or MethodNames.CggmReference;
}

/// <summary>What B did in the runs of one CGGM arm, per modality (over every step of every seed).</summary>
/// <param name="Median">The median B_i.</param>
/// <param name="NegativeRate">The share of steps with B_i &lt; 0 (encoder i's gradient reversed).</param>
/// <param name="LargerRate">The share of steps where B_i is the largest coefficient (modality i promoted most).</param>
public sealed record CoefficientSummary(double[] Median, double[] NegativeRate, double[] LargerRate)
{
    /// <summary>Reads B from the histories of <paramref name="runs"/> (steps that recorded it).</summary>
    public static CoefficientSummary? Of(IEnumerable<ExperimentRun> runs, int modalities)
    {
        var steps = runs.SelectMany(r => r.Result.History.Steps).Where(s => s.Coefficients is { } b && b.Length == modalities).Select(s => s.Coefficients!).ToArray();
        if (steps.Length == 0) return null;
        var median = Enumerable.Range(0, modalities).Select(i => Statistics.Median(steps.Select(b => b[i]))).ToArray();
        var negative = Enumerable.Range(0, modalities).Select(i => steps.Count(b => b[i] < 0) / (double)steps.Length).ToArray();
        var larger = Enumerable.Range(0, modalities).Select(i => steps.Count(b => b[i] > b.Where((_, k) => k != i).Max()) / (double)steps.Length).ToArray();
        return new CoefficientSummary(median, negative, larger);
    }
}

/// <summary>One arm in one regime: the runs and what they measure.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Runs">One run per seed.</param>
/// <param name="Accuracy">Test accuracy of the fused prediction.</param>
/// <param name="GainOverJoint">Accuracy minus joint training's, paired by seed, with its 95 % interval (null for joint itself).</param>
/// <param name="ModalityAccuracy">Test accuracy of each modality's classifier (the method's own or a passive probe).</param>
/// <param name="Coefficients">B, for CGGM arms.</param>
public sealed record ArmResult(StudyArm Arm, IReadOnlyList<ExperimentRun> Runs, MeanStd Accuracy, MeanStd? GainOverJoint, MeanStd?[] ModalityAccuracy,
                               CoefficientSummary? Coefficients);

/// <summary>One regime: its arms, and how strong each modality is alone.</summary>
/// <param name="Regime">The regime.</param>
/// <param name="Arms">Every arm's result, in the study's order.</param>
/// <param name="Alone">Test accuracy of each modality's unimodal model (mean over seeds), in modality order.</param>
public sealed record RegimeResult(ImbalanceRegime Regime, IReadOnlyList<ArmResult> Arms, double[] Alone)
{
    /// <summary>Audio alone minus image alone, in accuracy: &gt; 0 where audio dominates, &lt; 0 where the image does.</summary>
    public double Dominance => Alone[1] - Alone[0];

    /// <summary>The result of the arm <paramref name="key"/>.</summary>
    public ArmResult Arm(string key) => Arms.First(a => a.Arm.Key == key);
}

/// <summary>The whole study.</summary>
/// <param name="IsSample">True when it ran on sample data (Smoke without the real data): the numbers mean nothing.</param>
/// <param name="Modalities">Modality names in model order (image, audio).</param>
/// <param name="Seeds">Seeds of every arm.</param>
/// <param name="Epochs">Training epochs of every run.</param>
/// <param name="Regimes">The regimes, from the image weakest to the audio weakest.</param>
public sealed record ImbalanceResult(bool IsSample, IReadOnlyList<string> Modalities, IReadOnlyList<int> Seeds, int Epochs, IReadOnlyList<RegimeResult> Regimes)
{
    /// <summary>
    /// One row per (regime, arm): test accuracy, the gain over joint training with its 95 % paired interval, each modality
    /// classifier's accuracy, and for CGGM arms the median B_i, the share of steps where B_i was the largest and where it was
    /// negative (each over every step of every seed pooled: one number, no spread).
    /// </summary>
    public ResultTable Table()
    {
        var columns = new List<ResultColumn> { new("Acc (%)"), new("Gain over joint (pp) [95% CI]") };
        columns.AddRange(Modalities.Select(m => new ResultColumn($"f({m}) Acc (%)")));
        columns.AddRange(Modalities.Select(m => new ResultColumn($"median B({m})", 1, 2)));
        columns.AddRange(Modalities.Select(m => new ResultColumn($"steps B({m}) largest (%)", 100, 1)));
        columns.AddRange(Modalities.Select(m => new ResultColumn($"steps B({m}) < 0 (%)", 100, 1)));
        var rows = new List<ResultRow>();
        foreach (var regime in Regimes)
            foreach (var arm in regime.Arms)
            {
                var values = new List<MeanStd?> { arm.Accuracy, arm.GainOverJoint };
                values.AddRange(arm.ModalityAccuracy);
                foreach (var statistic in new Func<CoefficientSummary, double[]>[] { c => c.Median, c => c.LargerRate, c => c.NegativeRate })
                    values.AddRange(Enumerable.Range(0, Modalities.Count).Select(i => arm.Coefficients is { } c ? MeanStd.Pooled(statistic(c)[i]) : null));
                rows.Add(new ResultRow($"{regime.Regime.Label} · {arm.Arm.Label}", values));
            }
        var title = $"Controlled imbalance on the audio-visual digits ({Seeds.Count} seed{(Seeds.Count == 1 ? "" : "s")}, {Epochs} epoch{(Epochs == 1 ? "" : "s")}" +
                    (IsSample ? "; SAMPLE data: the numbers mean nothing)" : "; test set)");
        return new ResultTable(title, columns, rows);
    }
}

/// <summary>
/// When does CGGM help? The audio-visual digits with one modality degraded in steps (<see cref="AvDigitsDegradation"/>), so that
/// the regimes range from the audio dominating (the image blurred and occluded) to the image dominating (the audio buried in
/// noise). In every regime the same arms train on the same seeds — each modality alone, joint training, both CGGM variants
/// (and their smoothed-ε variants) and the strongest baselines — and each arm's gain over joint training is paired by seed.
/// Runs go to <c>&lt;root&gt;/&lt;regime&gt;/…</c>; the clean regime may share a root with other analyses on the same data.
/// </summary>
public static class ImbalanceStudy
{
    /// <summary>
    /// The regimes, from the image weakest to the audio weakest, chosen from one-seed unimodal runs at 8 epochs (image alone /
    /// audio alone, test accuracy, before the study): image blurred σ = 2 and 30 % occluded 62 / 94; clean 88 / 94; audio at
    /// 20 dB 88 / 87 (balanced); audio at 5 dB 88 / 65; audio at −10 dB 88 / 42. The study measures them again with its own seeds.
    /// </summary>
    public static IReadOnlyList<ImbalanceRegime> Regimes { get; } =
    [
        new("image-blur2-occlude30", "image blurred σ = 2, 30 % occluded", new AvDigitsDegradation { ImageBlurSigma = 2, ImageOcclusion = 0.3 }),
        new("clean", "clean", new AvDigitsDegradation()),
        new("audio-snr20", "audio at 20 dB SNR", new AvDigitsDegradation { AudioSnrDb = 20 }),
        new("audio-snr5", "audio at 5 dB SNR", new AvDigitsDegradation { AudioSnrDb = 5 }),
        new("audio-snr-10", "audio at −10 dB SNR", new AvDigitsDegradation { AudioSnrDb = -10 }),
    ];

    /// <summary>The smoothing factor β of the smoothed-ε arms (<see cref="CggmOptions.UtilizationEma"/>): about 10 batches.</summary>
    public const double EmaFactor = 0.9;

    /// <summary>
    /// The arms for CGGM options <paramref name="cggm"/>: image alone, audio alone, joint training, CGGM as the paper writes it
    /// and as released, both with ε smoothed (β = <see cref="EmaFactor"/>), and <paramref name="baselines"/> (the strongest on
    /// clean audio-visual digits by default: QMF and MMPareto; UME, the next, is an ensemble of the unimodal models).
    /// </summary>
    public static IReadOnlyList<StudyArm> Arms(CggmOptions cggm, IReadOnlyList<string>? baselines = null)
    {
        var smoothed = cggm with { UtilizationEma = EmaFactor };
        var arms = new List<StudyArm>
        {
            new(MethodNames.UnimodalOn(0), "image alone", MethodNames.Unimodal, Modality: 0),
            new(MethodNames.UnimodalOn(1), "audio alone", MethodNames.Unimodal, Modality: 1),
            new(MethodNames.Joint, "joint training", MethodNames.Joint),
            new(MethodNames.Cggm, "CGGM (paper)", MethodNames.Cggm),
            new(MethodNames.CggmReference, "CGGM (released)", MethodNames.CggmReference),
            new("ema", "CGGM (paper), smoothed ε", MethodNames.Cggm, smoothed),
            new("ema-reference", "CGGM (released), smoothed ε", MethodNames.CggmReference, smoothed),
        };
        arms.AddRange((baselines ?? [MethodNames.Qmf, MethodNames.MmPareto]).Select(b => new StudyArm(b, b, b)));
        return arms;
    }

    /// <summary>
    /// Trains every regime × arm × seed with <paramref name="settings"/> on the audio-visual digits read from
    /// <paramref name="root"/> (a budget's subset applies to every regime); runs are kept under <paramref name="runRoot"/> and resumed.
    /// </summary>
    public static ImbalanceResult Run(string root, bool isSample, Settings.AvDigitsSettings settings, IReadOnlyList<ImbalanceRegime> regimes, IReadOnlyList<StudyArm> arms,
                                      IReadOnlyList<int> seeds, ProfileBudget? budget = null, string? runRoot = null, IProgress<RecipeProgress>? progress = null,
                                      CancellationToken cancellation = default)
    {
        if (!arms.Any(a => a.Method == MethodNames.Joint)) throw new ArgumentException("The arms need joint training: every gain is measured against it.", nameof(arms));
        var results = new List<RegimeResult>();
        int total = regimes.Count * arms.Count * seeds.Count, done = 0;
        IReadOnlyList<string> modalities = [];
        foreach (var regime in regimes)
        {
            IMultimodalDataset data = AvDigits.Open(root, new AvDigitsOptions { Degradation = regime.Degradation });
            if (budget is { } b && (b.Train ?? b.Valid ?? b.Test) is not null) data = new DatasetSubset(data, b.Train, b.Valid, b.Test);
            using var _ = (IDisposable)data;
            modalities = data.Modalities.Select(m => m.Name).ToArray();
            var setup = settings.Setup(data, DatasetRegistry.AvDigits.Name);
            var runs = new Dictionary<StudyArm, IReadOnlyList<ExperimentRun>>();
            foreach (var arm in arms)
            {
                var armSetup = setup with { Methods = setup.Methods with { Modality = arm.Modality, Cggm = arm.Cggm ?? setup.Methods.Cggm } };
                var regimeRoot = runRoot is null ? null : Path.Combine(runRoot, regime.Key);
                var armRoot = regimeRoot is null || arm.Key == MethodNames.UnimodalOn(arm.Modality) || arm.Key == arm.Method ? regimeRoot : Path.Combine(regimeRoot, arm.Key);
                var relay = progress is null ? null : new Relay<RecipeProgress>(p => progress.Report(p with
                {
                    Method = $"{regime.Label} · {arm.Label}", RunIndex = done + p.RunIndex, RunCount = total,
                }));
                runs[arm] = ExperimentRunner.Run(armSetup, [arm.Method], seeds, armRoot, resume: true, relay, cancellation);
                done += seeds.Count;
            }
            results.Add(Summarise(regime, arms, runs, modalities.Count));
        }
        return new ImbalanceResult(isSample, modalities, seeds, settings.Epochs, results);
    }

    /// <summary>The measured quantities of one regime's runs.</summary>
    public static RegimeResult Summarise(ImbalanceRegime regime, IReadOnlyList<StudyArm> arms, IReadOnlyDictionary<StudyArm, IReadOnlyList<ExperimentRun>> runs, int modalities)
    {
        var joint = runs[arms.First(a => a.Method == MethodNames.Joint)];
        var results = arms.Select(arm =>
        {
            var own = runs[arm];
            var perModality = Enumerable.Range(0, modalities).Select(i =>
            {
                var v = own.Where(r => r.Result.Test.PerModality.Count > i).Select(r => r.Result.Test.PerModality[i]["accuracy"]).ToArray();
                return v.Length == 0 ? null : MeanStd.Of(v);
            }).ToArray();
            return new ArmResult(arm, own, MeanStd.Of(own.Select(r => r.Result.Test.Metrics["accuracy"])),
                arm.Method == MethodNames.Joint ? null : MeanStd.Difference(own, joint), perModality,
                arm.IsCggm ? CoefficientSummary.Of(own, modalities) : null);
        }).ToArray();
        var alone = Enumerable.Range(0, modalities).Select(i =>
            results.FirstOrDefault(a => a.Arm.Method == MethodNames.Unimodal && a.Arm.Modality == i)?.Accuracy.Mean ?? double.NaN).ToArray();
        return new RegimeResult(regime, results, alone);
    }
}
