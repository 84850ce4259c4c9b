using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters.Fda;
using NWaves.Windows;

namespace Cggm.Data;

/// <summary>Settings of <see cref="LogMelSpectrogram"/>.</summary>
public sealed record LogMelOptions
{
    /// <summary>Analysis window length in seconds (25 ms: 200 samples at 8 kHz).</summary>
    public double FrameSeconds { get; init; } = 0.025;

    /// <summary>Hop between frames in seconds (10 ms: 80 samples at 8 kHz).</summary>
    public double HopSeconds { get; init; } = 0.010;

    /// <summary>FFT size (the 200-sample window is zero-padded to it).</summary>
    public int FftSize { get; init; } = 256;

    /// <summary>Number of triangular mel bands between 0 Hz and the Nyquist frequency.</summary>
    public int MelBands { get; init; } = 40;

    /// <summary>
    /// Frames T of every clip as the model receives it. 64 frames = 0.655 s; FSDD clips are 0.14–2.28 s (median 0.42 s)
    /// and 4.9% of them are longer than 64 frames. Shorter clips are padded, longer ones cropped to their loudest window
    /// (<see cref="LogMelSpectrogram.Fit"/>).
    /// </summary>
    public int Frames { get; init; } = 64;

    /// <summary>Floor of the mel-band power before the logarithm (log(1e-10) ≈ −23 for digital silence).</summary>
    public double PowerFloor { get; init; } = 1e-10;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        if (FrameSeconds <= 0 || HopSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(FrameSeconds), $"Frame {FrameSeconds} s and hop {HopSeconds} s must be positive.");
        if (FftSize < 2 || (FftSize & (FftSize - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(FftSize), FftSize, "FftSize must be a power of two.");
        if (MelBands < 1) throw new ArgumentOutOfRangeException(nameof(MelBands), MelBands, "MelBands must be ≥ 1.");
        if (Frames < 1) throw new ArgumentOutOfRangeException(nameof(Frames), Frames, "Frames must be ≥ 1.");
        if (PowerFloor <= 0) throw new ArgumentOutOfRangeException(nameof(PowerFloor), PowerFloor, "PowerFloor must be positive.");
    }
}

/// <summary>
/// Log-mel spectrogram through NWaves' filterbank extractor: frames of <see cref="LogMelOptions.FrameSeconds"/> every
/// <see cref="LogMelOptions.HopSeconds"/>, Hann window, power spectrum |X(f)|², triangular mel filterbank (HTK mel scale,
/// mel(f) = 1127·ln(1 + f/700)), natural log: S[t, b] = ln max(Σ_f w_b(f)·|X_t(f)|², floor).
/// </summary>
public sealed class LogMelSpectrogram
{
    private readonly FilterbankExtractor _extractor;

    /// <summary>An extractor for signals at <paramref name="sampleRate"/> Hz. Not thread-safe: one per thread.</summary>
    public LogMelSpectrogram(int sampleRate, LogMelOptions? options = null)
    {
        Options = options ?? new LogMelOptions();
        Options.Validate();
        SampleRate = sampleRate;
        var bands = FilterBanks.MelBands(Options.MelBands, sampleRate, 0, sampleRate / 2.0);
        _extractor = new FilterbankExtractor(new FilterbankOptions
        {
            SamplingRate = sampleRate,
            FrameDuration = Options.FrameSeconds,
            HopDuration = Options.HopSeconds,
            FftSize = Options.FftSize,
            FilterBank = FilterBanks.Triangular(Options.FftSize, sampleRate, bands),
            Window = WindowType.Hann,
            SpectrumType = SpectrumType.Power,
            NonLinearity = NonLinearityType.LogE,
            LogFloor = (float)Options.PowerFloor,
        });
    }

    /// <summary>The settings.</summary>
    public LogMelOptions Options { get; }

    /// <summary>The sampling rate it expects.</summary>
    public int SampleRate { get; }

    /// <summary>S <c>[frames][bands]</c> of <paramref name="samples"/> (as many frames as fit; none for a signal shorter than one frame).</summary>
    public float[][] Compute(float[] samples) => _extractor.ComputeFrom(samples).ToArray();

    /// <summary>
    /// The window of <paramref name="frames"/> consecutive frames a clip contributes: all of it when it is not longer
    /// (the caller pads the rest), else the window with the largest summed log-mel energy (the loudest part, where the
    /// digit is spoken; the earliest such window on ties). Returns the first frame and the number of frames taken.
    /// </summary>
    public static (int Start, int Count) Fit(float[][] spectrogram, int frames)
    {
        if (spectrogram.Length <= frames) return (0, spectrogram.Length);
        var energy = spectrogram.Select(f => (double)f.Sum()).ToArray();
        double window = energy.Take(frames).Sum(), best = window;
        int start = 0;
        for (int s = 1; s + frames <= energy.Length; s++)
        {
            window += energy[s + frames - 1] - energy[s - 1];
            if (window > best + 1e-9) { best = window; start = s; }
        }
        return (start, frames);
    }
}
