using Cggm.Data;
using Cggm.Models.Blocks;
using TransformerEncoder = Cggm.Models.Blocks.TransformerEncoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Models;

/// <summary>
/// The released MulT-style late-fusion transformer (paper §4.1–4.2, Fig. 1) in both of its released forms:
/// <list type="bullet">
/// <item>CMU-MOSI and IEMOCAP (<c>models/msamodel.py</c> <c>MSAModel</c>): text, audio and vision feature sequences;
/// <see cref="TransformerModelOptions"/>'s defaults (MOSI) or IEMOCAP's settings.</item>
/// <item>UPMC-Food 101 (<c>models/foodmodel.py</c> <c>FoodModel</c>) over precomputed token features, ViT-B/16
/// <c>last_hidden_state</c> (vision <c>[B, 197, 768]</c>) and BERT-base (text <c>[B, 50, 768]</c>), frozen upstream:
/// <see cref="TransformerModelOptions.Food101"/>, with the released shared-projection bug as an option.</item>
/// </list>
/// Per modality i, φ_i = Conv1d(D_i → d, k = 1) + <see cref="TransformerEncoder"/> of <see cref="TransformerModelOptions.Layers"/>
/// layers; Ω = <see cref="SequenceFusion"/>: a transformer of layers − 2 over the time-concatenation of h_1..h_M in the dataset's
/// order (released [text; audio; vision] and [vision; text]), token 0; 𝓕 = <see cref="ResidualHead"/>.
/// f_i = <see cref="TransformerModalityClassifier"/>. Inputs <c>[B, T_i, D_i]</c> per modality (T_i may vary between batches when
/// the dataset declares it as −1); features h_i <c>[B, T_i, d]</c>; prediction <c>[B, K]</c>.
/// </summary>
public sealed class SequenceTransformer : MultimodalModel
{
    private readonly ModuleList<SequenceEncoder> encoders;
    private readonly SequenceFusion fusion;
    private readonly ResidualHead head;

    /// <summary>Builds the model for <paramref name="inputs"/> (each a sequence modality <c>[T, D]</c>) with <paramref name="options"/>.</summary>
    public SequenceTransformer(IReadOnlyList<ModalityInfo> inputs, TransformerModelOptions? options = null)
        : base(nameof(SequenceTransformer), inputs)
    {
        Options = options ?? new TransformerModelOptions();
        Options.Validate();
        var dims = SequenceInputDims(GetName(), inputs);
        if (Options.SharedProjectionBug && dims.Distinct().Count() != 1)
            throw new ArgumentException($"{nameof(TransformerModelOptions.SharedProjectionBug)} routes every modality through the first modality's projection, " +
                                        $"so all feature widths must agree; got {string.Join(", ", dims)}.", nameof(options));
        var first = SequenceEncoder.CreateProjection(dims[0], Options.Dim);
        encoders = new ModuleList<SequenceEncoder>(inputs.Select((m, i) => new SequenceEncoder(m.Name, dims[i],
            i == 0 || Options.SharedProjectionBug ? first : SequenceEncoder.CreateProjection(dims[i], Options.Dim),
            new TransformerEncoder(Options.Dim, Options.Heads, Options.Layers, Options.Dropouts))).ToArray());
        fusion = new SequenceFusion(new TransformerEncoder(Options.Dim, Options.Heads, Options.FusionLayers, Options.Dropouts, Options.ReleasedPositionOrder));
        head = new ResidualHead(Options.Dim, Options.Outputs, Options.Dropouts.Output);
        RegisterComponents();
    }

    /// <summary>The sizes and options.</summary>
    public TransformerModelOptions Options { get; }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Encoder(int modality) => encoders[modality];

    /// <inheritdoc />
    public override nn.Module<Tensor[], Tensor> Fusion => fusion;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Head => head;

    /// <inheritdoc />
    public override Parameter HeadOutputWeight => head.OutputWeight;

    /// <summary>
    /// θ^{φ_i}: by default only the transformer of modality i, as the released code scales <c>encoders.{i}</c> (Food:
    /// <c>vision_encoder</c>, <c>text_encoder</c>) and not the input projections; with
    /// <see cref="TransformerModelOptions.ScaleInputProjections"/> also the projection.
    /// </summary>
    public override IEnumerable<Parameter> EncoderParameters(int modality) =>
        Options.ScaleInputProjections ? encoders[modality].parameters() : encoders[modality].Transformer.parameters();

    /// <inheritdoc />
    public override ModalityClassifier CreateModalityClassifier(int modality) =>
        new TransformerModalityClassifier(Options.Dim, Options.Heads, Options.ClassifierLayers, Options.Outputs, Options.Dropouts, Options.RepeatClassifierProjection,
                                          Options.ReleasedPositionOrder);

    /// <summary>The feature width D_i of each sequence modality; throws unless every shape is <c>[T, D]</c> with D known.</summary>
    private static long[] SequenceInputDims(string model, IReadOnlyList<ModalityInfo> inputs) =>
        inputs.Select(m => m.Shape.Length == 2 && m.Shape[1] > 0 && m.Shape[0] != 0
            ? m.Shape[1]
            : throw new ArgumentException($"{model} reads sequence modalities shaped [T, D] (T may be −1 for any length, D must be known); " +
                                          $"modality '{m.Name}' is [{string.Join(", ", m.Shape)}].", nameof(inputs))).ToArray();
}
