using Cggm.Models.Blocks;

namespace Cggm.Models;

/// <summary>
/// Sizes and options of the released MulT-style late-fusion model (<see cref="SequenceTransformer"/>). The defaults are the
/// released CMU-MOSI settings (<c>run/mosi_run.py</c>); <see cref="Food101"/> the released UPMC-Food 101 ones.
/// </summary>
public sealed record TransformerModelOptions
{
    /// <summary>The released Food settings (<c>run/food_run.py</c>): 101 outputs, 4 encoder layers (2 fusion), dropouts attention 0.2, ReLU 0.15, residual 0.15, embedding 0.2, output 0.1.</summary>
    public static TransformerModelOptions Food101 { get; } = new()
    {
        Outputs = 101,
        Layers = 4,
        Dropouts = new TransformerDropouts(Attention: 0.2, Relu: 0.15, Residual: 0.15, Embedding: 0.2, Output: 0.1),
    };

    /// <summary>Outputs K of the head (1 for MOSI regression, 4 for IEMOCAP, 101 for Food).</summary>
    public int Outputs { get; init; } = 1;

    /// <summary>Model width d (<c>proj_dim</c>, 40).</summary>
    public int Dim { get; init; } = 40;

    /// <summary>Attention heads (5).</summary>
    public int Heads { get; init; } = 5;

    /// <summary>Layers of each modality encoder (<c>nlevels</c>: MOSI 5, IEMOCAP 4, Food 4); the fusion has <see cref="FusionLayers"/>.</summary>
    public int Layers { get; init; } = 5;

    /// <summary>Layers of each modality classifier's transformer (<c>cls_layers</c>, 2).</summary>
    public int ClassifierLayers { get; init; } = 2;

    /// <summary>Dropout rates (MOSI: attention 0.15, ReLU 0.15, residual 0.1, embedding 0.2, output 0.1).</summary>
    public TransformerDropouts Dropouts { get; init; } = new(Attention: 0.15, Relu: 0.15, Residual: 0.1, Embedding: 0.2, Output: 0.1);

    /// <summary>
    /// Whether θ^{φ_i} (the parameters CGGM scales by B_i, paper Eq. 8) includes the modality's input projection. The paper
    /// calls projection + transformer the encoder; the released code scales only parameters named <c>encoders.{i}</c>
    /// (<c>vision_encoder</c>/<c>text_encoder</c> for Food), leaving the projections unscaled: false (the default) does that.
    /// </summary>
    public bool ScaleInputProjections { get; init; }

    /// <summary>
    /// The released classifier quirk (<c>models/msamodel.py</c> <c>Classifier.forward</c>): x = proj1(x[0]); x = ReLU(proj1(x)),
    /// the same proj1 applied twice. True (the default) keeps it; false applies proj1 once: x = ReLU(proj1(x[0])).
    /// </summary>
    public bool RepeatClassifierProjection { get; init; } = true;

    /// <summary>
    /// The released Food bug (<c>models/foodmodel.py</c> l.50): the text tokens go through the image projection <c>projv</c>, and
    /// the text projection <c>projt</c> is never used. False (the default) gives each modality its own projection, as the
    /// model clearly intends; true reproduces the released forward pass (the unused <c>projt</c>, which never receives a
    /// gradient, is not built, so the Food model has 30,760 fewer parameters than the released one).
    /// </summary>
    public bool SharedProjectionBug { get; init; }

    /// <summary>
    /// The released order of the sinusoidal positions in the fusion transformer and the classifiers (found by the parity suite,
    /// docs/parity.md). Their inputs are time-first contiguous tensors (<c>torch.cat(hs)</c>, the encoder outputs), and the
    /// released <c>make_positions</c> (<c>modules/position_embedding.py</c>) masked-scatters positions into a clone of a strided
    /// view of them, which torch 1.13 fills in memory order: token t of sample b gets position ((t·B + b) mod T) + 1 instead of
    /// t + 1, so the positions depend on the batch size and interleave. False (the default) gives every token its own position
    /// 1..T, as the fairseq code intends (and as the modality encoders, whose input is batch-major in memory, get in the released
    /// code too); true reproduces the released numbers.
    /// </summary>
    public bool ReleasedPositionOrder { get; init; }

    /// <summary>Layers of the fusion transformer: <see cref="Layers"/> − 2, as released.</summary>
    public int FusionLayers => Layers - 2;

    /// <summary>Throws when a size is out of range.</summary>
    public void Validate()
    {
        if (Outputs < 1) throw new ArgumentOutOfRangeException(nameof(Outputs), Outputs, "The head needs at least one output.");
        if (Dim < 4) throw new ArgumentOutOfRangeException(nameof(Dim), Dim, "The model width must be at least 4 (the sinusoidal positions need ⌊d/2⌋ − 1 > 0).");
        if (Heads < 1 || Dim % Heads != 0) throw new ArgumentOutOfRangeException(nameof(Heads), Heads, $"The number of heads must divide the width {Dim}.");
        if (Layers < 2) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "At least 2 encoder layers: the fusion transformer has Layers − 2.");
        if (ClassifierLayers < 0) throw new ArgumentOutOfRangeException(nameof(ClassifierLayers), ClassifierLayers, "The classifier's layer count cannot be negative.");
        Dropouts.Validate();
        if (SharedProjectionBug && ScaleInputProjections)
            throw new ArgumentException($"{nameof(SharedProjectionBug)} and {nameof(ScaleInputProjections)} together would scale the one shared projection by both modalities' B; turn one off.");
    }
}
