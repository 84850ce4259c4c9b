using Cggm.Data;

namespace Cggm.Tests.AvDigits;

/// <summary>The controlled degradations of the audio-visual digits, hand-checked.</summary>
public class DegradationTests
{
    [Theory]
    [InlineData(10.0)]
    [InlineData(0.0)]
    [InlineData(-10.0)]
    public void Noise_has_the_power_the_snr_asks_for(double snr)
    {
        var signal = Enumerable.Range(0, 200_000).Select(i => (float)(0.3 * Math.Sin(i * 0.05))).ToArray();   // power 0.045
        var noisy = AvDigitsDegradation.AddNoise(signal, snr, new Random(3));
        double noisePower = signal.Zip(noisy, (s, n) => (double)(n - s) * (n - s)).Average();
        Assert.Equal(0.045 / Math.Pow(10, snr / 10), noisePower, 0.045 / Math.Pow(10, snr / 10) * 0.02);   // within 2 %
    }

    [Fact]
    public void The_same_sample_gets_the_same_noise_and_another_sample_other_noise()
    {
        var signal = Enumerable.Repeat(0.5f, 1000).ToArray();
        var a = AvDigitsDegradation.AddNoise(signal, 0, AvDigitsDegradation.SampleGenerator(0, "3_jackson_7.wav"));
        var b = AvDigitsDegradation.AddNoise(signal, 0, AvDigitsDegradation.SampleGenerator(0, "3_jackson_7.wav"));
        var c = AvDigitsDegradation.AddNoise(signal, 0, AvDigitsDegradation.SampleGenerator(0, "3_jackson_8.wav"));
        var d = AvDigitsDegradation.AddNoise(signal, 0, AvDigitsDegradation.SampleGenerator(1, "3_jackson_7.wav"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
    }

    [Fact]
    public void Blur_kernel_is_the_normalised_gaussian_and_keeps_mass_away_from_the_border()
    {
        // σ = 1: radius 3, weights ∝ exp(−x²/2)
        var k = AvDigitsDegradation.GaussianKernel(1);
        Assert.Equal(7, k.Length);
        Assert.Equal(1, k.Sum(), 12);
        Assert.Equal(Math.Exp(-0.5), k[4] / k[3], 12);
        var image = new float[28 * 28];
        image[14 * 28 + 14] = 1;                                  // a point in the middle spreads as the 2-D kernel
        var blurred = AvDigitsDegradation.Blur(image, 28, 1);
        Assert.Equal(1, blurred.Sum(), 5);
        Assert.Equal(k[3] * k[3], blurred[14 * 28 + 14], 6);
        Assert.Equal(k[3] * k[4], blurred[14 * 28 + 15], 6);
    }

    [Fact]
    public void Occlusion_zeroes_a_square_of_the_asked_area()
    {
        var image = Enumerable.Repeat(1f, 28 * 28).ToArray();
        var occluded = AvDigitsDegradation.Occlude(image, 28, 0.25, new Random(5));
        Assert.Equal(14 * 14, occluded.Count(p => p == 0));        // side round(√0.25 · 28) = 14
    }

    [Fact]
    public void Out_of_range_values_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AvDigitsDegradation { ImageOcclusion = 1 }.Validate());
}
