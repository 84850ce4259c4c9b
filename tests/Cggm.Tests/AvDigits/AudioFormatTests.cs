using Cggm.Data;
using Cggm.Data.Formats;
using NWaves.Audio;
using NWaves.Signals;

namespace Cggm.Tests.AvDigits;

/// <summary>FSDD file names and WAV reading, and the log-mel features, checked against hand-computed values.</summary>
public sealed class AudioFormatTests
{
    [Fact]
    public void The_shared_fsdd_copy_is_the_pinned_release_with_its_usual_split()
    {
        var folder = AvDigitsFixture.RequireSharedRecordings();
        var list = FsddRecordings.List(folder);
        Assert.Equal(FsddRecordings.ReleaseCount, list.Count);
        Assert.Equal(FsddRecordings.ReleaseDigest, FsddRecordings.Digest(folder));
        Assert.Equal(6, list.Select(r => r.Speaker).Distinct().Count());
        Assert.All(Enumerable.Range(0, 10), d => Assert.Equal(300, list.Count(r => r.Digit == d)));
        Assert.Equal(300, list.Count(r => r.IsTest));
        var first = list[0];                                                      // 0_george_0.wav in name order
        Assert.Equal((0, "george", 0), (first.Digit, first.Speaker, first.Index));
        var samples = FsddRecordings.Read(first);
        long dataBytes = new FileInfo(first.Path).Length - 44;                     // RIFF + fmt + data headers: 44 bytes (only fmt and data chunks)
        Assert.Equal(dataBytes / 2, samples.Length);
        Assert.All(samples, v => Assert.InRange(v, -1f, 1f));
        Assert.Contains(samples, v => v != 0);
    }

    [Fact]
    public void Only_digit_speaker_take_names_are_recordings_and_other_formats_are_rejected_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("cggm-fsdd-").FullName;
        try
        {
            Write(Path.Combine(dir, "3_ana_7.wav"), 8000, 1);
            Write(Path.Combine(dir, "notes_x.wav"), 8000, 1);
            Write(Path.Combine(dir, "12_ana_1.wav"), 8000, 1);
            File.WriteAllText(Path.Combine(dir, "README.md"), "not audio");
            var list = FsddRecordings.List(dir);
            Assert.Equal((3, "ana", 7, false), (list.Single().Digit, list.Single().Speaker, list.Single().Index, list.Single().IsTest));
            Write(Path.Combine(dir, "4_ana_2.wav"), 16000, 1);
            var wrongRate = Assert.Throws<DatasetFileException>(() => FsddRecordings.Read(FsddRecordings.List(dir).Single(r => r.Digit == 4)));
            Assert.Contains("4_ana_2.wav", wrongRate.Message);
            Assert.Contains("16000 Hz", wrongRate.Message);
            File.WriteAllText(Path.Combine(dir, "5_ana_0.wav"), "RIFF? no");
            var corrupt = Assert.Throws<DatasetFileException>(() => FsddRecordings.Read(FsddRecordings.List(dir).Single(r => r.Digit == 5)));
            Assert.Equal(DataProblem.Corrupt, corrupt.Problem);
            Assert.Throws<DatasetFileException>(() => FsddRecordings.List(Path.Combine(dir, "missing")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Log_mel_frames_bands_and_floor_follow_the_settings()
    {
        var mel = new LogMelSpectrogram(8000);
        // 25 ms frames every 10 ms at 8 kHz: 200-sample windows every 80 samples, so n samples give 1 + (n − 200) / 80 frames.
        var spectrum = mel.Compute(new float[4000]);
        Assert.Equal(1 + (4000 - 200) / 80, spectrum.Length);
        Assert.All(spectrum, f => Assert.Equal(40, f.Length));
        Assert.All(spectrum.SelectMany(f => f), v => Assert.Equal(Math.Log(1e-10), v, 1e-4));   // silence sits at the floor
    }

    [Fact]
    public void A_pure_tone_peaks_in_the_mel_band_around_its_frequency()
    {
        // HTK mel scale, 40 bands over 0–4 kHz: mel(4000) = 1127·ln(1 + 4000/700) ≈ 2146.1, band b is centred at
        // mel⁻¹((b + 1)·2146.1/41). 1 kHz (mel ≈ 1000) lies between the centres of bands 18 (≈ 992 Hz) and 19 (≈ 1,072 Hz),
        // nearer to band 18.
        static double Mel(double f) => 1127 * Math.Log(1 + f / 700);
        static double Hz(double m) => 700 * (Math.Exp(m / 1127) - 1);
        Assert.InRange(Hz(19 * Mel(4000) / 41), 985, 1000);
        Assert.InRange(Hz(20 * Mel(4000) / 41), 1065, 1080);
        var tone = Enumerable.Range(0, 2000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0))).ToArray();
        var frame = new LogMelSpectrogram(8000).Compute(tone)[5];
        Assert.Equal(18, Array.IndexOf(frame, frame.Max()));
    }

    [Fact]
    public void Fit_keeps_short_clips_and_crops_long_ones_to_their_loudest_window()
    {
        float[][] Clip(params float[] energy) => energy.Select(e => new[] { e, e }).ToArray();
        Assert.Equal((0, 3), LogMelSpectrogram.Fit(Clip(1, 2, 3), 4));
        Assert.Equal((0, 4), LogMelSpectrogram.Fit(Clip(1, 2, 3, 4), 4));
        // windows of 3: sums (per band) 0+5+5 = 10, 5+5+1 = 11, 5+1+9 = 15, 1+9+0 = 10: the third (start 2) is loudest.
        Assert.Equal((2, 3), LogMelSpectrogram.Fit(Clip(0, 5, 5, 1, 9, 0), 3));
        // ties keep the earliest window
        Assert.Equal((0, 2), LogMelSpectrogram.Fit(Clip(1, 1, 1, 1), 2));
    }

    private static void Write(string path, int rate, int channels)
    {
        var signals = Enumerable.Range(0, channels).Select(_ => new DiscreteSignal(rate, Enumerable.Range(0, 400).Select(i => (float)Math.Sin(i * 0.1) * 0.3f))).ToList();
        using var file = File.Create(path);
        new WaveFile(signals, 16).SaveTo(file);
    }
}
