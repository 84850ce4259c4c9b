using System.Globalization;
using System.Text;

namespace Cggm.Training;

/// <summary>
/// What happened in one optimizer step. Vectors have one entry per modality and are null when the run did not measure
/// them. Every chart of the paper is drawn from these records.
/// </summary>
public sealed record StepRecord
{
    /// <summary>0-based epoch.</summary>
    public int Epoch { get; init; }

    /// <summary>0-based step within the epoch.</summary>
    public int Step { get; init; }

    /// <summary>0-based step over the run.</summary>
    public int GlobalStep { get; init; }

    /// <summary>The loss that was back-propagated (task loss plus the method's terms).</summary>
    public double Loss { get; init; }

    /// <summary>𝓛_task alone.</summary>
    public double TaskLoss { get; init; }

    /// <summary>Main optimizer learning rate used in the step.</summary>
    public double LearningRate { get; init; }

    /// <summary>‖∇θ^{φ_i}𝓛‖₂ of each encoder after backward, before any modulation.</summary>
    public double[]? GradNorm { get; init; }

    /// <summary>‖∇θ^{φ_i}‖₂ after the method changed the gradients (before clipping); null when it did not.</summary>
    public double[]? GradNormModulated { get; init; }

    /// <summary>ε_i (see <see cref="StepDiagnostics.Utilization"/>).</summary>
    public double[]? Utilization { get; init; }

    /// <summary>Δε_i.</summary>
    public double[]? DeltaUtilization { get; init; }

    /// <summary>Each modality classifier's loss on the batch.</summary>
    public double[]? ClassifierLoss { get; init; }

    /// <summary>B_i.</summary>
    public double[]? Coefficients { get; init; }

    /// <summary>Cosine terms of the direction loss, or of the probes' gradients.</summary>
    public double[]? Cosine { get; init; }

    /// <summary>𝓛_gm.</summary>
    public double? DirectionLoss { get; init; }

    /// <summary>Other named values.</summary>
    public IReadOnlyDictionary<string, double[]> Extra { get; init; } = new Dictionary<string, double[]>();
}

/// <summary>One epoch's summary: training loss and validation metrics (fused and per modality classifier).</summary>
public sealed record EpochRecord
{
    /// <summary>0-based epoch.</summary>
    public int Epoch { get; init; }

    /// <summary>Mean back-propagated loss over the epoch's steps.</summary>
    public double TrainLoss { get; init; }

    /// <summary>Validation task loss.</summary>
    public double ValidLoss { get; init; }

    /// <summary>Validation metrics of the fused prediction.</summary>
    public IReadOnlyDictionary<string, double> Valid { get; init; } = new Dictionary<string, double>();

    /// <summary>Validation metrics of each modality classifier f_i (empty when the run has none).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> ValidPerModality { get; init; } = [];

    /// <summary>Learning rate at the end of the epoch.</summary>
    public double LearningRate { get; init; }

    /// <summary>Wall-clock seconds of the epoch (training and validation).</summary>
    public double Seconds { get; init; }
}

/// <summary>The per-step and per-epoch history of a run, with CSV export.</summary>
public sealed class TrainingHistory
{
    /// <summary>Creates an empty history for modalities named <paramref name="modalities"/>.</summary>
    public TrainingHistory(IReadOnlyList<string> modalities) => Modalities = modalities;

    /// <summary>Modality names, the order of every per-modality vector.</summary>
    public IReadOnlyList<string> Modalities { get; }

    /// <summary>Every optimizer step.</summary>
    public List<StepRecord> Steps { get; init; } = [];

    /// <summary>Every completed epoch.</summary>
    public List<EpochRecord> Epochs { get; init; } = [];

    /// <summary>The step history as CSV: one row per step, one column per scalar and per modality entry ("grad_norm_text").</summary>
    public string StepsCsv()
    {
        var vectors = new (string Name, Func<StepRecord, double[]?> Get)[]
        {
            ("grad_norm", s => s.GradNorm), ("grad_norm_modulated", s => s.GradNormModulated), ("epsilon", s => s.Utilization),
            ("delta_epsilon", s => s.DeltaUtilization), ("B", s => s.Coefficients), ("cos", s => s.Cosine),
            ("classifier_loss", s => s.ClassifierLoss),
        };
        var present = vectors.Where(v => Steps.Any(s => v.Get(s) is not null)).ToArray();
        var extras = Steps.SelectMany(s => s.Extra.Select(e => (e.Key, e.Value.Length))).Distinct().ToArray();
        bool hasGm = Steps.Any(s => s.DirectionLoss is not null);
        var sb = new StringBuilder("epoch,step,global_step,loss,task_loss,lr");
        foreach (var v in present) foreach (var m in Modalities) sb.Append(',').Append(v.Name).Append('_').Append(m);
        if (hasGm) sb.Append(",L_gm");
        foreach (var (key, len) in extras) sb.Append(len == 1 ? $",{key}" : string.Concat(Modalities.Select(m => $",{key}_{m}")));
        sb.Append('\n');
        foreach (var s in Steps)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s.Epoch},{s.Step},{s.GlobalStep},{F(s.Loss)},{F(s.TaskLoss)},{F(s.LearningRate)}");
            foreach (var v in present)
            {
                var values = v.Get(s);
                for (int m = 0; m < Modalities.Count; m++) sb.Append(',').Append(values is null ? "" : F(values[m]));
            }
            if (hasGm) sb.Append(',').Append(s.DirectionLoss is { } gm ? F(gm) : "");
            foreach (var (key, len) in extras)
            {
                var values = s.Extra.GetValueOrDefault(key);
                for (int k = 0; k < len; k++) sb.Append(',').Append(values is null ? "" : F(values[k]));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The epoch history as CSV: loss, learning rate, every fused validation metric and every per-modality one ("accuracy_text").</summary>
    public string EpochsCsv()
    {
        var fused = Epochs.SelectMany(e => e.Valid.Keys).Distinct().ToArray();
        var per = Epochs.SelectMany(e => e.ValidPerModality.SelectMany(d => d.Keys)).Distinct().ToArray();
        var sb = new StringBuilder("epoch,train_loss,valid_loss,lr,seconds");
        foreach (var k in fused) sb.Append(",valid_").Append(k);
        foreach (var k in per) foreach (var m in Modalities) sb.Append(",valid_").Append(k).Append('_').Append(m);
        sb.Append('\n');
        foreach (var e in Epochs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{F(e.TrainLoss)},{F(e.ValidLoss)},{F(e.LearningRate)},{F(e.Seconds)}");
            foreach (var k in fused) sb.Append(',').Append(e.Valid.TryGetValue(k, out var v) ? F(v) : "");
            foreach (var k in per)
                for (int m = 0; m < Modalities.Count; m++)
                    sb.Append(',').Append(m < e.ValidPerModality.Count && e.ValidPerModality[m].TryGetValue(k, out var v) ? F(v) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
