using Cggm.Data;
using Cggm.Models.Blocks;
using TransformerEncoder = Cggm.Models.Blocks.TransformerEncoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>Options of <see cref="FoodTransformer"/>; the defaults are the released UPMC-Food 101 settings (<c>run/food_run.py</c>).</summary>
public sealed record FoodTransformerOptions : TransformerModelOptions
{
    /// <summary>The released Food settings: 101 outputs, 4 encoder layers (2 fusion), dropouts attention 0.2, ReLU 0.15, residual 0.15, embedding 0.2, output 0.1.</summary>
    public FoodTransformerOptions()
    {
        Outputs = 101;
        Layers = 4;
        Dropouts = new TransformerDropouts(Attention: 0.2, Relu: 0.15, Residual: 0.15, Embedding: 0.2, Output: 0.1);
    }

    /// <summary>
    /// The released bug (<c>models/foodmodel.py</c> l.50): the text tokens go through the image projection <c>projv</c>, and
    /// the text projection <c>projt</c> is never used. False (the default) gives each modality its own projection, as the
    /// model clearly intends; true reproduces the released forward pass (the unused <c>projt</c>, which never receives a
    /// gradient, is not built, so the model has 30,760 fewer parameters than the released one).
    /// </summary>
    public bool SharedProjectionBug { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (SharedProjectionBug && ScaleInputProjections)
            throw new ArgumentException($"{nameof(SharedProjectionBug)} and {nameof(ScaleInputProjections)} together would scale the one shared projection by both modalities' B; turn one off.");
    }
}

/// <summary>
/// The released UPMC-Food 101 model (<c>models/foodmodel.py</c> <c>FoodModel</c>; paper §4.1) over precomputed token features:
/// ViT-B/16 <c>last_hidden_state</c> (vision <c>[B, 197, 768]</c>) and BERT-base (text <c>[B, 50, 768]</c>), frozen upstream.
/// φ_i = Conv1d(768 → 40, k = 1) + 4-layer <see cref="TransformerEncoder"/>; Ω = 2-layer transformer over [vision; text]
/// (the dataset's order), token 0 (the ViT CLS position); 𝓕 = <see cref="ResidualHead"/> → 101.
/// f_i = <see cref="TransformerModalityClassifier"/> (2 layers). See <see cref="FoodTransformerOptions.SharedProjectionBug"/>.
/// </summary>
public sealed class FoodTransformer : MultimodalModel
{
    private readonly ModuleList<SequenceEncoder> encoders;
    private readonly SequenceFusion fusion;
    private readonly ResidualHead head;

    /// <summary>Builds the model for <paramref name="inputs"/> (vision then text, each <c>[T, 768]</c>) with <paramref name="options"/>.</summary>
    public FoodTransformer(IReadOnlyList<ModalityInfo> inputs, FoodTransformerOptions? options = null)
        : base(nameof(FoodTransformer), inputs)
    {
        Options = options ?? new FoodTransformerOptions();
        Options.Validate();
        var dims = SentimentTransformer.SequenceInputDims(GetName(), inputs);
        if (Options.SharedProjectionBug && dims.Distinct().Count() != 1)
            throw new ArgumentException($"{nameof(FoodTransformerOptions.SharedProjectionBug)} routes every modality through the first modality's projection, " +
                                        $"so all feature widths must agree; got {string.Join(", ", dims)}.", nameof(options));
        var first = SequenceEncoder.CreateProjection(dims[0], Options.Dim);
        encoders = new ModuleList<SequenceEncoder>(inputs.Select((m, i) => new SequenceEncoder(m.Name, dims[i],
            i == 0 || Options.SharedProjectionBug ? first : SequenceEncoder.CreateProjection(dims[i], Options.Dim),
            new TransformerEncoder(Options.Dim, Options.Heads, Options.Layers, Options.Dropouts))).ToArray());
        fusion = new SequenceFusion(new TransformerEncoder(Options.Dim, Options.Heads, Options.FusionLayers, Options.Dropouts));
        head = new ResidualHead(Options.Dim, Options.Outputs, Options.Dropouts.Output);
        RegisterComponents();
    }

    /// <summary>The sizes and options.</summary>
    public FoodTransformerOptions Options { get; }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Encoder(int modality) => encoders[modality];

    /// <inheritdoc />
    public override nn.Module<Tensor[], Tensor> Fusion => fusion;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Head => head;

    /// <inheritdoc />
    public override Parameter HeadOutputWeight => head.OutputWeight;

    /// <summary>
    /// θ^{φ_i}: by default only the transformer of modality i (the released code scales <c>vision_encoder</c> and
    /// <c>text_encoder</c>, not the projections); with <see cref="TransformerModelOptions.ScaleInputProjections"/> also its projection.
    /// </summary>
    public override IEnumerable<Parameter> EncoderParameters(int modality) =>
        Options.ScaleInputProjections ? encoders[modality].parameters() : encoders[modality].Transformer.parameters();

    /// <inheritdoc />
    public override ModalityClassifier CreateModalityClassifier(int modality) =>
        new TransformerModalityClassifier(Options.Dim, Options.Heads, Options.ClassifierLayers, Options.Outputs, Options.Dropouts, Options.RepeatClassifierProjection);
}
