using Cggm.Data;
using Cggm.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Cggm.Models;

/// <summary>Sizes of <see cref="AvDigitsNet"/>.</summary>
public sealed record AvDigitsNetOptions
{
    /// <summary>Channels of the image CNN's two convolutions.</summary>
    public int ImageChannels { get; init; } = 16;

    /// <summary>Channels of the audio encoder's two temporal convolutions.</summary>
    public int AudioChannels { get; init; } = 32;

    /// <summary>Width H of each feature h_i, of the fused feature and of the head's hidden layer.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Number of classes K.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Throws when a size is not positive.</summary>
    public void Validate()
    {
        if (ImageChannels < 1 || AudioChannels < 1 || Hidden < 1 || Classes < 2)
            throw new ArgumentOutOfRangeException(nameof(AvDigitsNetOptions), $"Sizes must be positive (classes ≥ 2): image {ImageChannels}, audio {AudioChannels}, hidden {Hidden}, classes {Classes}.");
    }
}

/// <summary>
/// The late-fusion model of the audio-visual digits experiment (<see cref="AvDigits"/>), small enough to train every
/// balancing method on a CPU in seconds per run:
/// <list type="bullet">
/// <item>φ_image: x <c>[B, 1, 28, 28]</c> → Conv 3×3 stride 2 (C channels) → ReLU → Conv 3×3 stride 2 (2C) → ReLU → <c>[B, 2C, 7, 7]</c>
/// → Linear → ReLU → h <c>[B, H]</c>. Strided convolutions instead of max-pooling: on one CPU thread the pooled version
/// took about 4× as long per step for the same widths.</item>
/// <item>φ_audio: x <c>[B, T, F]</c> (log-mel frames) → over time: Conv1d(F → A, k 5, stride 2) → ReLU → Conv1d(A → A, k 3) → ReLU
/// → [mean; max] over time <c>[B, 2A]</c> → Linear → ReLU → h <c>[B, H]</c>.</item>
/// <item>Ω: concatenation → Linear(2H → H) → ReLU (<see cref="ConcatFusion"/>); 𝓕: Linear(H → H) → ReLU → Linear(H → K).</item>
/// <item>f_i: <see cref="MlpModalityClassifier"/> (Linear(H → H) → ReLU → Linear(H → K), shaped like 𝓕).</item>
/// </list>
/// The modalities are found by shape (one <c>[1, 28, 28]</c> image and one <c>[T, F]</c> sequence), in the dataset's order.
/// </summary>
public sealed class AvDigitsNet : MultimodalModel
{
    private readonly ModuleList<Module<Tensor, Tensor>> encoders;
    private readonly ConcatFusion fusion;
    private readonly Sequential head;
    private readonly Linear outLayer;

    /// <summary>Builds the model for <paramref name="inputs"/> (an image <c>[1, 28, 28]</c> and a log-mel sequence <c>[T, F]</c>, in either order).</summary>
    public AvDigitsNet(IReadOnlyList<ModalityInfo> inputs, AvDigitsNetOptions? options = null) : base(nameof(AvDigitsNet), inputs)
    {
        Options = options ?? new AvDigitsNetOptions();
        Options.Validate();
        int h = Options.Hidden;
        encoders = new ModuleList<Module<Tensor, Tensor>>(inputs.Select(m => m.Shape switch
        {
            [1, 28, 28] => (Module<Tensor, Tensor>)new ImageEncoder(Options.ImageChannels, h),
            [> 0 or -1, > 0] => new AudioEncoder(m.Shape[1], Options.AudioChannels, h),
            _ => throw new ArgumentException($"AvDigitsNet reads a [1, 28, 28] image and a [T, F] log-mel sequence; modality '{m.Name}' is [{string.Join(", ", m.Shape)}].", nameof(inputs)),
        }).ToArray());
        fusion = new ConcatFusion(inputs.Count * h, h);
        outLayer = Linear(h, Options.Classes);
        head = Sequential(("proj", Linear(h, h)), ("relu", ReLU()), ("out", outLayer));
        RegisterComponents();
    }

    /// <summary>The sizes.</summary>
    public AvDigitsNetOptions Options { get; }

    /// <inheritdoc />
    public override Module<Tensor, Tensor> Encoder(int modality) => encoders[modality];

    /// <inheritdoc />
    public override Module<Tensor[], Tensor> Fusion => fusion;

    /// <inheritdoc />
    public override Module<Tensor, Tensor> Head => head;

    /// <inheritdoc />
    public override Parameter HeadOutputWeight => outLayer.weight!;

    /// <inheritdoc />
    public override ModalityClassifier CreateModalityClassifier(int modality) => new MlpModalityClassifier(Options.Hidden, Options.Classes);

    /// <summary>φ_image: a two-layer CNN, <c>[B, 1, 28, 28]</c> → <c>[B, H]</c>.</summary>
    private sealed class ImageEncoder : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly Conv2d conv2;
        private readonly Linear proj;

        public ImageEncoder(int channels, int hidden) : base(nameof(ImageEncoder))
        {
            conv1 = Conv2d(1, channels, 3, stride: 2, padding: 1);
            conv2 = Conv2d(channels, 2 * channels, 3, stride: 2, padding: 1);
            proj = Linear(2 * channels * 7 * 7, hidden);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = functional.relu(conv1.call(x));                                 // [B, C, 14, 14]
            y = functional.relu(conv2.call(y));                                     // [B, 2C, 7, 7]
            return functional.relu(proj.call(y.flatten(1)));                        // [B, H]
        }
    }

    /// <summary>φ_audio: temporal convolutions over log-mel frames, <c>[B, T, F]</c> → <c>[B, H]</c>.</summary>
    private sealed class AudioEncoder : Module<Tensor, Tensor>
    {
        private readonly Conv1d conv1;
        private readonly Conv1d conv2;
        private readonly Linear proj;

        public AudioEncoder(long bands, int channels, int hidden) : base(nameof(AudioEncoder))
        {
            conv1 = Conv1d(bands, channels, 5, stride: 2, padding: 2);
            conv2 = Conv1d(channels, channels, 3, padding: 1);
            proj = Linear(2 * channels, hidden);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = x.transpose(1, 2);                                                        // [B, F, T]
            y = functional.relu(conv1.call(y));                                               // [B, A, ⌈T/2⌉]
            y = functional.relu(conv2.call(y));                                               // [B, A, ⌈T/2⌉]
            var pooled = torch.cat([y.mean([2L]), y.amax([2L])], 1);                          // [B, 2A]
            return functional.relu(proj.call(pooled));                                        // [B, H]
        }
    }
}
