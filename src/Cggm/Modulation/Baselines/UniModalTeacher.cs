using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>Hyperparameters of <see cref="UniModalTeacher"/>.</summary>
public sealed record UniModalTeacherOptions : IMethodOptions
{
    /// <summary>λ, the weight of the feature distillation term (BalanceBenchmark's UMT <c>scaling</c> 10).</summary>
    public double Lambda { get; init; } = 10;

    /// <summary>Epochs of unimodal teacher training per modality; null uses the run's number of epochs.</summary>
    public int? TeacherEpochs { get; init; }

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        MethodRequirements.Option(Lambda >= 0 && double.IsFinite(Lambda), nameof(Lambda), Lambda, "≥ 0");
        MethodRequirements.Option(TeacherEpochs is null or >= 1, nameof(TeacherEpochs), TeacherEpochs ?? 0, "≥ 1 or null");
    }
}

/// <summary>
/// UMT — Uni-Modal Teacher (Du, Teng, Li, Liu, Yuan, Wang, Yuan, Zhao, "On Uni-Modal Feature Learning in Supervised
/// Multi-Modal Learning", ICML 2023; first as Du et al., "Improving Multi-Modal Learning with Uni-Modal Teachers",
/// arXiv 2106.11059). First a unimodal model per modality (encoder φ_m with a head f_m) is trained on 𝓛(f_m(φ_m(x_m)), y)
/// and the epoch with the best validation score is kept as the frozen teacher φ_m^T; then the multimodal model trains on
/// 𝓛 = 𝓛_task + λ·Σ_m MSE(h_m, φ_m^T(x_m)), distilling each teacher's features into the matching encoder.
/// <para>Route: the teachers are trained inside the run (on first use, before the first step) on the run's own encoders
/// from their initial weights, with auxiliary heads from <see cref="MultimodalModel.CreateModalityClassifier"/> and the
/// run's optimizer settings, then the encoders are reset to their initial weights; teacher features come from swapping the
/// teacher weights into the encoder for a no-gradient forward. BalanceBenchmark loads teachers from separate unimodal runs
/// instead; both give frozen unimodal teachers with the run's architecture. Defined for every task kind (the term compares
/// features, not predictions).</para>
/// </summary>
public sealed class UniModalTeacher : BalancingMethod<UniModalTeacherOptions>
{
    private ParameterSnapshot[]? _teachers;   // φ_m^T per modality (saved values; the encoder holds the student)
    private Tensor[]? _teacherFeatures;       // this step's φ_m^T(x_m)

    /// <summary>UMT with <paramref name="options"/>.</summary>
    public UniModalTeacher(UniModalTeacherOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Umt;

    /// <summary>True once the teachers exist.</summary>
    public bool HasTeachers => _teachers is not null;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
    }

    /// <summary>λ·Σ_m mean((h_m − t_m)²).</summary>
    public static Tensor DistillationLoss(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> teacherFeatures, double lambda)
    {
        Tensor? sum = null;
        for (int m = 0; m < features.Count; m++)
        {
            var term = nn.functional.mse_loss(features[m], teacherFeatures[m]);
            sum = sum is null ? term : sum + term;
        }
        return lambda * sum!;
    }

    /// <inheritdoc />
    public override MultimodalOutput Forward(StepState step)
    {
        _teachers ??= TrainTeachers();
        // Teachers first: swapping weights in place after the student's forward would invalidate its graph.
        _teacherFeatures = Enumerable.Range(0, Context.Model.ModalityCount).Select(m => TeacherFeatures(m, step.Batch.Modalities[m])).ToArray();
        return Context.Model.call(step.Batch.Modalities);
    }

    /// <inheritdoc />
    public override Tensor ComposeLoss(StepState step)
    {
        var distill = DistillationLoss(step.Output!.Features, _teacherFeatures!, Hyperparameters.Lambda);
        step.Diagnostics.Extra["distillation"] = distill.detach();
        _teacherFeatures = null;
        return step.TaskLoss! + distill;
    }

    /// <summary>φ_m^T(x) without gradient: the teacher weights are copied into encoder m for one forward, then the student's are put back.</summary>
    private Tensor TeacherFeatures(int modality, Tensor input)
    {
        var encoder = Context.Model.Encoder(modality);
        using var student = new ParameterSnapshot(encoder);
        _teachers![modality].Restore();
        encoder.eval();
        try
        {
            using var _ = no_grad();
            return encoder.call(input).detach();
        }
        finally
        {
            student.Restore();
            encoder.train();
        }
    }

    /// <summary>Trains one unimodal model per modality from the initial weights, keeps each best-validation encoder, resets the model.</summary>
    private ParameterSnapshot[] TrainTeachers()
    {
        var model = Context.Model;
        var task = Context.Task;
        using var initial = new ParameterSnapshot(model);
        int epochs = Hyperparameters.TeacherEpochs ?? Context.Options.Epochs;
        var teachers = new ParameterSnapshot[model.ModalityCount];
        for (int m = 0; m < teachers.Length; m++)
        {
            initial.Restore();
            var encoder = model.Encoder(m);
            using var head = model.CreateModalityClassifier(m);
            head.to(Context.Device);
            using var optimizer = Context.Options.Optimizer.Create(encoder.parameters().Concat(head.parameters()));
            teachers[m] = new ParameterSnapshot(encoder);
            double best = double.NaN;
            int modality = m;
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                encoder.train();
                head.train();
                SplitPasses.ForEachBatch(Context.Train, Context.Options.BatchSize, Context.Device, Context.Options.ShuffleTrain, Context.Options.Seed + 104729 * (modality + 1), epoch, batch =>
                {
                    optimizer.zero_grad();
                    var loss = task.Loss(head.call(encoder.call(batch.Modalities[modality])), batch.Target);
                    loss.backward();
                    if (Context.Options.ClipNorm is { } clip) nn.utils.clip_grad_norm_(encoder.parameters().Concat(head.parameters()).ToArray(), clip);
                    optimizer.step();
                });
                double score = ValidationScore(encoder, head, modality);
                if (task.Selection.IsBetter(score, best))
                {
                    best = score;
                    teachers[m].Capture();
                }
            }
        }
        initial.Restore();
        model.zero_grad();   // the step that called us has cleared its gradients already; leave none behind
        return teachers;
    }

    /// <summary>The task's selection metric of f_m(φ_m(x_m)) on the validation split.</summary>
    private double ValidationScore(nn.Module<Tensor, Tensor> encoder, ModalityClassifier head, int modality)
    {
        var metrics = Context.Task.CreateMetrics();
        encoder.eval();
        head.eval();
        try
        {
            using var _ = no_grad();
            SplitPasses.ForEachBatch(Context.Valid, Context.Options.EffectiveEvalBatchSize, Context.Device, shuffle: false, 0, 0,
                batch => metrics.Add(head.call(encoder.call(batch.Modalities[modality])), batch.Target));
        }
        finally
        {
            encoder.train();
            head.train();
        }
        return metrics.Compute()[Context.Task.Selection.Name];
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_teachers is not null);
        if (_teachers is not null) foreach (var t in _teachers) t.Save(writer);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return;
        _teachers ??= Enumerable.Range(0, Context.Model.ModalityCount).Select(m => new ParameterSnapshot(Context.Model.Encoder(m))).ToArray();
        foreach (var t in _teachers) t.Load(reader);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_teachers is not null) foreach (var t in _teachers) t.Dispose();
        base.Dispose();
    }
}
