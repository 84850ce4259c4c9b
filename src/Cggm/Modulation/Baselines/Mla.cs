using Cggm.Models;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Modulation;

/// <summary>How MLA rectifies the shared head's gradient (paper vs. released code).</summary>
public enum MlaProjection
{
    /// <summary>Paper Eq. 3–5: recursive-least-squares projector P, ∇W ← ∇W·P.</summary>
    Paper,

    /// <summary>What the released <c>GSPlugin</c> was written to do: the same update followed by P ← P/‖P‖_F.</summary>
    Normalized,

    /// <summary>What the released code runs: its parameter-name check never matches, so no projection happens.</summary>
    Off,
}

/// <summary>Hyperparameters of <see cref="Mla"/>.</summary>
public sealed record MlaOptions : IMethodOptions
{
    /// <summary>Projection variant (default: the paper).</summary>
    public MlaProjection Projection { get; init; } = MlaProjection.Paper;

    /// <summary>α₀ of the projector's denominator α = α₀·0.1^(step/steps per epoch) (released <c>GSPlugin</c>: 1.0·0.1^(b/len + 1), i.e. α₀ = 0.1).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>Test-time dynamic fusion by prediction entropy (Eq. 7–8); false uses equal fixed weights 1/M.</summary>
    public bool DynamicFusion { get; init; } = true;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate() => MethodRequirements.Option(Alpha > 0 && double.IsFinite(Alpha), nameof(Alpha), Alpha, "a positive number");
}

/// <summary>
/// MLA — Multimodal Learning with Alternating Unimodal Adaptation (Zhang, Yoon, Bansal, Yao, "Multimodal Representation
/// Learning by Alternating Unimodal Adaptation", CVPR 2024). Each batch trains the modalities one after another
/// (Eq. 1–2): for m = 1..M, 𝓛_m = 𝓛(g(h_m), y) updates encoder m and the shared head g, and g's weight gradient is
/// rectified by an orthogonal-weight-modification projector so that learning modality m disturbs what g learned for the
/// others (Eq. 3–5): with r the batch-mean input of a linear layer, k = P·r, P ← P − k·kᵀ/(α + rᵀk), ∇W ← ∇W·P
/// (P = I initially; the very first update is not projected). Inference (Eq. 6–8): ŷ = Σ_m λ_m g(h_m) with per-sample
/// entropies e_m = H(softmax(g(h_m))) and λ_m = softmax_m(max_j e_j − e_m).
/// <para>Route: the shared head g is the model's own fusion and head reached by zero-masking, g(h_m) = 𝓕(Ω([0, …, h_m, …, 0]));
/// the paper's g is one linear layer, ours is an MLP, so every linear layer of the fusion and head keeps its own
/// projector fed with that layer's input (the multi-layer form of OWM, Zeng et al. 2019); biases are not projected. In a
/// sequence fusion's last layer only the prediction token runs (<see cref="Models.Blocks.TransformerEncoder.ForwardFirstToken"/>),
/// so its layers average that token's input alone — the only input whose gradient reaches their weights.
/// Deviations from the released code, which we do not follow: its projection never runs (the name check
/// <c>"module.weight"</c> never matches), its entropy is taken over the batch dimension, and P is renormalised each step
/// (<see cref="MlaProjection.Normalized"/> reproduces the intended code, <see cref="MlaProjection.Off"/> the code as run).
/// Each sub-step is a full optimizer step (clipping included) with the other encoders' gradients cleared; the step's
/// recorded loss is Σ_m 𝓛_m and its task loss their mean.
/// Classification only (entropy fusion) and any M ≥ 2.</para>
/// </summary>
public sealed class Mla : BalancingMethod<MlaOptions>
{
    private Linear[] _layers = [];
    private Tensor?[] _inputs = [];
    private Tensor[] _projectors = [];
    private readonly List<IDisposable> _hooks = [];
    private long _updates;
    private bool _capture;

    /// <summary>MLA with <paramref name="options"/>.</summary>
    public Mla(MlaOptions? options = null) : base(options) { }

    /// <inheritdoc />
    public override string Name => MethodNames.Mla;

    /// <inheritdoc />
    public override bool OwnsStep => true;

    /// <summary>The projectors P, one per linear layer of the shared head (fusion then head).</summary>
    public IReadOnlyList<Tensor> Projectors => _projectors;

    /// <inheritdoc />
    public override void Attach(TrainingContext context)
    {
        MethodRequirements.Classification(Name, context.Task, "its test-time fusion weighs modalities by the entropy of their class probabilities");
        MethodRequirements.Modalities(Name, context.Model);
        base.Attach(context);
        var modules = new nn.Module[] { context.Model.Fusion, context.Model.Head };
        _layers = modules.SelectMany(m => new[] { m }.Concat(m.modules())).OfType<Linear>().Distinct().ToArray();
        if (_layers.Length == 0)
            throw new NotSupportedException($"MLA projects the gradients of the shared head's linear layers, but {context.Model.GetName()}'s fusion and head have none.");
        _inputs = new Tensor?[_layers.Length];
        _projectors = _layers.Select(l => torch.eye(l.in_features, device: context.Device).DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < _layers.Length; i++)
        {
            int layer = i;
            var remover = _layers[i].register_forward_pre_hook((_, input) =>
            {
                if (_capture) _inputs[layer] = input.detach().reshape(-1, input.shape[^1]).mean([0L]);
                return input;
            });
            _hooks.Add(new Remover(remover.remove));
        }
    }

    /// <summary>Eq. 5: k = P·r, P ← P − k·kᵀ/(α + rᵀk).</summary>
    public static Tensor UpdateProjector(Tensor projector, Tensor input, double alpha)
    {
        var r = input.reshape(-1, 1);
        var k = projector.mm(r);
        return projector - k.mm(k.t()) / (alpha + r.t().mm(k));
    }

    /// <summary>Eq. 7–8: λ_m = exp(max_j e_j − e_m)/Σ_v exp(max_j e_j − e_v) for entropies <c>[B, M]</c>.</summary>
    public static Tensor FusionWeights(Tensor entropies) =>
        nn.functional.softmax(entropies.max(1, keepdim: true).values - entropies, 1);

    /// <summary>Per-sample entropy of softmax(logits), <c>[B]</c>.</summary>
    public static Tensor Entropy(Tensor logits)
    {
        var logp = nn.functional.log_softmax(logits, 1);
        return -(logp.exp() * logp).sum(1);
    }

    /// <inheritdoc />
    public override void TrainStep(StepState step)
    {
        var model = Context.Model;
        int m = model.ModalityCount, steps = SplitPasses.StepsPerEpoch(Context);
        double alpha = Hyperparameters.Alpha * Math.Pow(0.1, (double)step.Step / steps);
        Tensor? total = null;
        var losses = new Tensor[m];
        var norms = new Tensor[m];
        var encoded = new Tensor[m];
        var predictions = new Tensor[m];
        for (int i = 0; i < m; i++)
        {
            model.zero_grad();
            _capture = true;
            Tensor[] features;
            MultimodalOutput output;
            try
            {
                features = Enumerable.Range(0, m).Select(j => j == i ? model.Encoder(j).call(step.Batch.Modalities[j]) : zeros_like(EncodeShape(j, step))).ToArray();
                output = model.FromFeatures(features);
            }
            finally
            {
                _capture = false;
            }
            Context.Task.Validate(output.Prediction, step.Batch.Target);
            var loss = Context.Task.Loss(output.Prediction, step.Batch.Target);
            loss.backward();
            norms[i] = GradientTools.Norm(Context.EncoderParameters[i]);
            Project(alpha);
            Context.ClipAndStep();
            losses[i] = loss.detach();
            encoded[i] = features[i].detach();
            predictions[i] = output.Prediction.detach();
            total = total is null ? losses[i] : total + losses[i];
        }
        var mean = torch.stack(predictions).mean([0L]);
        step.Output = new MultimodalOutput(mean, encoded, mean);
        step.Loss = total!;
        step.TaskLoss = total! / m;
        if (Context.Options.RecordGradientNorms) step.GradNorm = torch.stack(norms);
        step.Diagnostics.Extra["unimodal_loss"] = torch.stack(losses);
    }

    /// <summary>The shape of modality j's features for zeros, from a no-gradient forward of its encoder on the first sample (cached).</summary>
    private Tensor EncodeShape(int modality, StepState step)
    {
        _shapes ??= new long[Context.Model.ModalityCount][];
        if (_shapes[modality] is null)
        {
            using var _ = no_grad();
            _shapes[modality] = Context.Model.Encoder(modality).call(step.Batch.Modalities[modality].narrow(0, 0, 1)).shape[1..];
        }
        return torch.empty([step.Batch.Size, .. _shapes[modality]], device: Context.Device);
    }

    private long[][]? _shapes;

    /// <summary>Updates each layer's projector with its captured mean input and projects its weight gradient (skipped on the very first update).</summary>
    private void Project(double alpha)
    {
        bool first = _updates++ == 0;
        if (Hyperparameters.Projection == MlaProjection.Off || first) return;
        using var _ = no_grad();
        for (int l = 0; l < _layers.Length; l++)
        {
            if (_inputs[l] is not { } r) continue;
            var next = UpdateProjector(_projectors[l], r, alpha);
            if (Hyperparameters.Projection == MlaProjection.Normalized) next = next / next.norm();
            _projectors[l].copy_(next);
            if (_layers[l].weight!.grad is { } g) g.copy_(g.mm(_projectors[l].t()));
            _inputs[l] = null;
        }
    }

    /// <inheritdoc />
    public override MultimodalOutput EvaluationForward(Tensor[] inputs)
    {
        var model = Context.Model;
        var features = model.Encode(inputs);
        var logits = Enumerable.Range(0, features.Length).Select(i => ZeroMasking.Only(model, features, i).Prediction).ToArray();
        var stacked = torch.stack(logits, 1);                                               // [B, M, C]
        var weights = Hyperparameters.DynamicFusion
            ? FusionWeights(torch.stack(logits.Select(Entropy).ToArray(), 1))              // [B, M]
            : torch.full(stacked.shape[0], features.Length, 1.0 / features.Length, device: stacked.device);
        var fused = (weights.unsqueeze(2) * stacked).sum(1);
        return new MultimodalOutput(fused, features, fused);
    }

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        writer.Write(_updates);
        foreach (var p in _projectors) p.Save(writer);
    }

    /// <inheritdoc />
    public override void LoadState(BinaryReader reader)
    {
        _updates = reader.ReadInt64();
        using var _ = no_grad();
        foreach (var p in _projectors)
        {
            using var loaded = Tensor.Load(reader);
            p.copy_(loaded);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (var h in _hooks) h.Dispose();
        foreach (var p in _projectors) p.Dispose();
        base.Dispose();
    }

    private sealed class Remover(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
