using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>
/// How a reduced profile scales an experiment on a paper dataset down from the paper's settings: each dataset's descriptor
/// states its budgets (<see cref="Datasets.DatasetDescriptor.Budget"/>) and <see cref="PaperExperiment"/> applies them.
/// Everything not named here stays as in the paper's settings: optimizer, learning rates, schedule, clipping, ρ, λ,
/// dropouts, model width. Null keeps the paper's value.
/// </summary>
/// <param name="Train">Training samples kept (a fixed random subset in file order, <see cref="Data.DatasetSubset"/>).</param>
/// <param name="Valid">Validation samples kept.</param>
/// <param name="Test">Test samples kept.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="EncoderLayers">Transformer layers per modality encoder (the fusion keeps layers − 2, as released); transformer models only.</param>
/// <param name="AudioFrames">IEMOCAP audio frames after padding or truncation (the released collate pads to 350).</param>
/// <param name="Seeds">Number of seeds (0, 1, …) instead of the profile's (<see cref="PaperExperiment.Seeds(Profile)"/>).</param>
public sealed record ProfileBudget(int? Train = null, int? Valid = null, int? Test = null, int? Epochs = null, int? BatchSize = null,
                                   int? EncoderLayers = null, int? AudioFrames = null, int? Seeds = null)
{
    /// <summary>
    /// The methods whose schedules are counted in epochs, scaled to a run of <paramref name="epochs"/> instead of the paper's
    /// <paramref name="paperEpochs"/> (r = epochs / paperEpochs; unchanged when r ≥ 1):
    /// <list type="bullet">
    /// <item>G-Blending: warm-up and later super-epochs of max(1, round(10·r)) and max(1, round(5·r)) epochs (its first
    /// estimate trains every sub-model for the warm-up length, so an unscaled Smoke run of 1 epoch would train 40).</item>
    /// <item>ReconBoost: max(1, round(4·r)) epochs per stage, and as many correction epochs, up to round(4·r), as still let
    /// every one of the <paramref name="modalities"/> learners have a stage within the run.</item>
    /// <item>PMR: prototype entropy regularization for round(5·r) epochs; Greedy: re-balancing from epoch round(2·r).</item>
    /// </list>
    /// UMT's teachers already train for the run's epochs; MSLR's window averages over the epochs there are.
    /// </summary>
    public static MethodSettings ScaleSchedules(MethodSettings methods, int epochs, int paperEpochs, int modalities)
    {
        if (epochs >= paperEpochs) return methods;
        double r = (double)epochs / paperEpochs;
        int Scaled(int length) => (int)Math.Round(length * r, MidpointRounding.AwayFromZero);
        var g = methods.GBlending;
        var b = methods.ReconBoost;
        int perStage = Math.Max(1, Scaled(b.EpochsPerStage));
        int correction = Math.Clamp(epochs / Math.Max(1, modalities) - perStage, 0, Scaled(b.CorrectionEpochs));
        return methods with
        {
            GBlending = g with { WarmupSuperEpoch = Math.Max(1, Scaled(g.WarmupSuperEpoch)), SuperEpoch = Math.Max(1, Scaled(g.SuperEpoch)) },
            ReconBoost = b with { EpochsPerStage = perStage, CorrectionEpochs = correction },
            Pmr = methods.Pmr with { RegularizationEpochs = Scaled(methods.Pmr.RegularizationEpochs) },
            Greedy = methods.Greedy with { StartEpoch = Scaled(methods.Greedy.StartEpoch) },
        };
    }

    /// <summary>One line for a notebook or a results page, e.g. "samples train 256 / valid all / test all, 5 epochs, 3 encoder layers, 2 seeds".</summary>
    public string Describe()
    {
        static string Count(int? n) => n?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all";
        var parts = new List<string>();
        if ((Train ?? Valid ?? Test) is not null) parts.Add($"samples (at most) train {Count(Train)} / valid {Count(Valid)} / test {Count(Test)}");
        if (Epochs is { } epochs) parts.Add($"{epochs} epoch{(epochs == 1 ? "" : "s")}");
        if (BatchSize is { } batch) parts.Add($"batches of {batch}");
        if (EncoderLayers is { } layers) parts.Add($"{layers} encoder layers");
        if (AudioFrames is { } frames) parts.Add($"audio cut to {frames} frames");
        if (Seeds is { } seeds) parts.Add($"{seeds} seed{(seeds == 1 ? "" : "s")}");
        return string.Join(", ", parts);
    }
}
