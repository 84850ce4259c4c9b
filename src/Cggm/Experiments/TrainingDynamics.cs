using Cggm.Experiments.Datasets;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>One configuration of Fig. 6: a label and the method settings it trains with.</summary>
/// <param name="Panel">"(a)".."(d)".</param>
/// <param name="Label">What it is ("joint training", "magnitude only", …).</param>
/// <param name="Method">Registry name.</param>
/// <param name="Cggm">CGGM options (ignored by joint training).</param>
public sealed record DynamicsConfiguration(string Panel, string Label, string Method, CggmOptions Cggm);

/// <summary>The runs behind Fig. 6 and Fig. 7.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Profile">Profile.</param>
/// <param name="IsSample">True on sample data.</param>
/// <param name="Modalities">Modality names.</param>
/// <param name="Configurations">The four configurations, in panel order.</param>
/// <param name="Runs">Runs per configuration label (one per seed).</param>
/// <param name="Epochs">Epochs each run trained.</param>
public sealed record TrainingDynamicsResult(DatasetDescriptor Dataset, Profile Profile, bool IsSample, IReadOnlyList<string> Modalities,
                                            IReadOnlyList<DynamicsConfiguration> Configurations, IReadOnlyDictionary<string, IReadOnlyList<ExperimentRun>> Runs, int Epochs);

/// <summary>
/// The paper's Appendix C figures. Fig. 6, "changes in loss during training": each modality classifier's loss on its training
/// batch per iteration, (a) without CGGM and (b)–(d) with it. The paper does not say what distinguishes (b), (c) and (d); a
/// reviewer asked for magnitude-only, direction-only and both, which is what we draw (our reading, marked as such). Fig. 7:
/// B_i per iteration of the CGGM run, with the reference line B = 1 (no scaling). Joint training's classifier losses come from
/// the trainer's passive probes (trained on detached features, they change nothing in the model).
/// <para>Dataset: CMU-MOSI by default, the dataset of Fig. 2 and 3 with the three modalities Fig. 7 plots (the appendix does
/// not name one). Budget: the dataset's profile settings with at most <see cref="MaxEpochs"/> epochs; seeds: one for Smoke and
/// Quick, the profile's for Paper (curves are means over seeds).</para>
/// </summary>
public static class TrainingDynamics
{
    /// <summary>The default dataset: CMU-MOSI.</summary>
    public static DatasetDescriptor DefaultDataset => DatasetRegistry.Mosi;

    /// <summary>Epoch cap of a profile (null: the profile's own epochs).</summary>
    public static int? MaxEpochs(Profile profile) => profile switch { Profile.Smoke => 1, Profile.Quick => 3, _ => null };

    /// <summary>The four configurations of Fig. 6 from the dataset's CGGM options.</summary>
    public static IReadOnlyList<DynamicsConfiguration> Configurations(CggmOptions cggm) =>
    [
        new("(a)", "joint training", MethodNames.Joint, cggm),
        new("(b)", "CGGM magnitude only (λ = 0)", MethodNames.Cggm, cggm with { Lambda = 0 }),
        new("(c)", "CGGM direction only (ρ off)", MethodNames.Cggm, cggm with { Rho = null }),
        new("(d)", $"CGGM (ρ = {cggm.Rho}, λ = {cggm.Lambda})", MethodNames.Cggm, cggm),
    ];

    /// <summary>
    /// Trains the four configurations on <paramref name="dataset"/> (default <see cref="DefaultDataset"/>); runs are kept under
    /// <paramref name="runRoot"/> (per configuration) and resumed.
    /// </summary>
    public static TrainingDynamicsResult Run(Profile profile, string? dataRoot = null, DatasetDescriptor? dataset = null, string? runRoot = null,
                                             IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        dataset ??= DefaultDataset;
        var settings = PaperExperiment.Settings(dataset, profile);
        if (MaxEpochs(profile) is { } cap && settings.Epochs > cap) settings = settings with { Epochs = cap };
        var seeds = profile == Profile.Paper ? PaperExperiment.Seeds(profile) : [0];
        using var data = PaperExperiment.OpenData(dataset, profile, dataRoot);
        var setup = settings.Setup(data.Data, dataset.Name);
        var configurations = Configurations(settings.Cggm);
        var runs = new Dictionary<string, IReadOnlyList<ExperimentRun>>();
        for (int c = 0; c < configurations.Count; c++)
        {
            var config = configurations[c];
            int offset = c * seeds.Count, total = configurations.Count * seeds.Count;
            var relay = progress is null ? null : new Relay<RecipeProgress>(p => progress.Report(p with { Method = config.Label, RunIndex = offset + p.RunIndex, RunCount = total }));
            var folder = runRoot is null ? null : Path.Combine(runRoot, config.Panel.Trim('(', ')'));
            runs[config.Label] = ExperimentRunner.Run(setup with { Methods = setup.Methods with { Cggm = config.Cggm } }, [config.Method], seeds, folder, resume: true, relay, cancellation);
        }
        return new TrainingDynamicsResult(dataset, profile, data.IsSample, data.Data.Modalities.Select(m => m.Name).ToArray(), configurations, runs, settings.Epochs);
    }
}
