using System.Globalization;
using System.Text;

namespace Cggm.Data;

/// <summary>
/// A controlled degradation of one or both modalities of <see cref="AvDigits"/>, applied to every split alike (it defines the
/// dataset, like a harder recording condition), deterministic per sample:
/// <list type="bullet">
/// <item><b>Audio</b>: additive white Gaussian noise at <see cref="AudioSnrDb"/> dB relative to each recording's own mean power,
/// σ² = P_x / 10^(SNR/10) with P_x = mean(x²) over the recording, added to the waveform before the log-mel spectrogram.</item>
/// <item><b>Image</b>: a Gaussian blur of standard deviation <see cref="ImageBlurSigma"/> pixels (kernel radius ⌈3σ⌉, normalised,
/// zero outside the image: MNIST's background), then a square of zeros covering <see cref="ImageOcclusion"/> of the image's
/// area at a position drawn per image.</item>
/// </list>
/// The noise and the occluder's position come from a generator seeded by the dataset's seed and the sample's file name (or
/// image index), so a regime is the same data in every run.
/// </summary>
public sealed record AvDigitsDegradation
{
    /// <summary>Signal-to-noise ratio of the added audio noise in dB; null leaves the recordings clean.</summary>
    public double? AudioSnrDb { get; init; }

    /// <summary>Standard deviation of the image blur in pixels; null leaves the images sharp.</summary>
    public double? ImageBlurSigma { get; init; }

    /// <summary>Fraction of the image covered by a square of zeros, in [0, 1); null for none.</summary>
    public double? ImageOcclusion { get; init; }

    /// <summary>True when nothing is degraded.</summary>
    public bool IsClean => AudioSnrDb is null && ImageBlurSigma is null && ImageOcclusion is null;

    /// <summary>Throws when a value is outside its domain.</summary>
    public void Validate()
    {
        if (AudioSnrDb is { } snr && !double.IsFinite(snr)) throw new ArgumentOutOfRangeException(nameof(AudioSnrDb), snr, "The audio SNR must be a finite number of dB.");
        if (ImageBlurSigma is { } s && !(s > 0 && s <= 10)) throw new ArgumentOutOfRangeException(nameof(ImageBlurSigma), s, "The blur σ must be in (0, 10] pixels.");
        if (ImageOcclusion is { } f && !(f > 0 && f < 1)) throw new ArgumentOutOfRangeException(nameof(ImageOcclusion), f, "The occluded fraction must be in (0, 1).");
    }

    /// <summary>"clean", or e.g. "audio at 0 dB SNR, image blurred σ = 2".</summary>
    public override string ToString()
    {
        if (IsClean) return "clean";
        var parts = new List<string>();
        if (AudioSnrDb is { } snr) parts.Add(string.Create(CultureInfo.InvariantCulture, $"audio at {snr:G4} dB SNR"));
        if (ImageBlurSigma is { } s) parts.Add(string.Create(CultureInfo.InvariantCulture, $"image blurred σ = {s:G4}"));
        if (ImageOcclusion is { } f) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{f:P0} of the image occluded"));
        return string.Join(", ", parts);
    }

    /// <summary>A generator for one sample: seeded by the dataset's seed and a stable (FNV-1a) hash of <paramref name="key"/>.</summary>
    public static Random SampleGenerator(int seed, string key)
    {
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * 16777619;
        return new Random(unchecked((int)hash ^ seed * 486187739));
    }

    /// <summary>A copy of <paramref name="samples"/> with white Gaussian noise at <paramref name="snrDb"/> dB (Box–Muller normals from <paramref name="rng"/>).</summary>
    public static float[] AddNoise(float[] samples, double snrDb, Random rng)
    {
        double power = 0;
        foreach (var x in samples) power += (double)x * x;
        power /= Math.Max(1, samples.Length);
        double sigma = Math.Sqrt(power / Math.Pow(10, snrDb / 10));
        var noisy = new float[samples.Length];
        for (int i = 0; i < samples.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1));
            noisy[i] = (float)(samples[i] + sigma * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < samples.Length) noisy[i + 1] = (float)(samples[i + 1] + sigma * r * Math.Sin(2 * Math.PI * u2));
        }
        return noisy;
    }

    /// <summary>A normalised 1-D Gaussian kernel of standard deviation <paramref name="sigma"/>, radius ⌈3σ⌉.</summary>
    public static double[] GaussianKernel(double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var k = Enumerable.Range(-radius, 2 * radius + 1).Select(x => Math.Exp(-x * x / (2 * sigma * sigma))).ToArray();
        double sum = k.Sum();
        return k.Select(v => v / sum).ToArray();
    }

    /// <summary>The <paramref name="size"/>×<paramref name="size"/> image <paramref name="pixels"/> blurred separably (zero padding).</summary>
    public static float[] Blur(float[] pixels, int size, double sigma)
    {
        var k = GaussianKernel(sigma);
        int r = k.Length / 2;
        var rows = new double[pixels.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double sum = 0;
                for (int j = -r; j <= r; j++) if (x + j >= 0 && x + j < size) sum += k[j + r] * pixels[y * size + x + j];
                rows[y * size + x] = sum;
            }
        var result = new float[pixels.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double sum = 0;
                for (int j = -r; j <= r; j++) if (y + j >= 0 && y + j < size) sum += k[j + r] * rows[(y + j) * size + x];
                result[y * size + x] = (float)sum;
            }
        return result;
    }

    /// <summary>Sets a square of side round(√fraction·size) to zero, at a position drawn uniformly from <paramref name="rng"/>.</summary>
    public static float[] Occlude(float[] pixels, int size, double fraction, Random rng)
    {
        int side = (int)Math.Round(Math.Sqrt(fraction) * size);
        int top = rng.Next(size - side + 1), left = rng.Next(size - side + 1);
        var result = (float[])pixels.Clone();
        for (int y = top; y < top + side; y++) Array.Clear(result, y * size + left, side);
        return result;
    }
}
