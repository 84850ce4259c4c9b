using Cggm.Data;
using static TorchSharp.torch;

namespace Cggm.Tests.Data;

/// <summary>CMU-MOSI and IEMOCAP loaders on fixtures written by numpy/h5py.</summary>
public sealed class MosiIemocapTests
{
    [Theory]
    [InlineData("mult_aligned", "mosi_data.pkl", "MulT")]
    [InlineData("mult_unaligned", "mosi_data_noalign.pkl", "MulT")]
    [InlineData("mmsa", "unaligned_50.pkl", "MMSA")]
    public void Mosi_reads_mult_and_mmsa_pickles_like_the_released_loader(string folder, string file, string format)
    {
        using var mosi = CmuMosi.Load(Fixture.Path_("mosi", folder));
        Assert.Equal(format, mosi.Format);
        Assert.EndsWith(file, mosi.FilePath);
        Assert.Equal(new[] { "text", "audio", "vision" }, mosi.Modalities.Select(m => m.Name));
        var expected = Fixture.Expected("mosi", folder, "expected.json");
        foreach (var (split, key) in new[] { (Split.Train, "train"), (Split.Valid, "valid"), (Split.Test, "test") })
        {
            var e = expected.GetProperty(key);
            var data = mosi.Get(split);
            Assert.Equal(e.GetProperty("count").GetInt32(), data.Count);
            Assert.Equal(ScalarType.Float32, data.Target.dtype);
            Assert.Equal(new long[] { data.Count }, data.Target.shape);
            var target = data.Target.data<float>().ToArray();
            Assert.Equal(Fixture.Doubles(e.GetProperty("target")).Select(v => (float)v!.Value), target);
            var names = new[] { "text", "audio", "vision" };
            for (int m = 0; m < 3; m++)
            {
                var want = e.GetProperty(names[m]);
                Assert.Equal(Fixture.Longs(want.GetProperty("shape")), data.Modalities[m].shape);
                Assert.Equal(Fixture.Longs(want.GetProperty("shape"))[1..], mosi.Modalities[m].Shape);
                var got = data.Modalities[m].data<float>().ToArray();
                var values = Fixture.Doubles(want.GetProperty("values"));
                for (int i = 0; i < got.Length; i++)
                    if (values[i] is { } v) Assert.Equal((float)v, got[i]);
            }
            var audio = data.Modalities[1].data<float>().ToArray();
            Assert.Equal(Fixture.Longs(e.GetProperty("audio_nan_at")), Enumerable.Range(0, audio.Length).Where(i => float.IsNaN(audio[i])).Select(i => (long)i));
            Assert.Equal(Fixture.Longs(e.GetProperty("audio_posinf_at")), Enumerable.Range(0, audio.Length).Where(i => float.IsPositiveInfinity(audio[i])).Select(i => (long)i));
            Assert.DoesNotContain(audio, float.IsNegativeInfinity);
        }
    }

    [Fact]
    public void Mosi_batches_follow_the_modality_order()
    {
        using var mosi = CmuMosi.Load(Fixture.Path_("mosi", "mult_unaligned", "mosi_data_noalign.pkl"));
        using var batch = mosi[Split.Train].Load([2, 0], CPU);
        Assert.Equal(new long[] { 2, 5, 4 }, batch.Modalities[0].shape);
        Assert.Equal(new long[] { 2, 7, 3 }, batch.Modalities[1].shape);
        Assert.Equal(new long[] { 2, 9, 2 }, batch.Modalities[2].shape);
        Assert.Equal(new long[] { 2 }, batch.Target.shape);
    }

    [Theory]
    [InlineData("missing_vision", DataProblem.WrongKey, "'vision'")]
    [InlineData("wrong_labels", DataProblem.WrongShape, "labels")]
    [InlineData("absent", DataProblem.Missing, "absent")]
    public void Mosi_errors_name_the_file_the_expectation_and_the_script(string folder, DataProblem problem, string mention)
    {
        var e = Assert.Throws<DatasetFileException>(() => CmuMosi.Load(Fixture.Path_("mosi", folder)));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(mention, e.Message);
        Assert.Contains(Fixture.Path_("mosi", folder), e.Message);
        Assert.Contains("cggm data prepare mosi", e.Message);
    }

    [Fact]
    public void Mosi_folder_with_two_pickles_asks_for_one()
    {
        using var dir = new Fixture.TempDir();
        File.Copy(Fixture.Path_("mosi", "mult_aligned", "mosi_data.pkl"), Path.Combine(dir.Path, "mosi_data.pkl"));
        File.Copy(Fixture.Path_("mosi", "mult_unaligned", "mosi_data_noalign.pkl"), Path.Combine(dir.Path, "mosi_data_noalign.pkl"));
        var e = Assert.Throws<DatasetFileException>(() => CmuMosi.Load(dir.Path));
        Assert.Contains("--root", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Iemocap_reads_the_mmin_layout_normalising_and_padding_audio(int fold)
    {
        var notes = new List<string>();
        using var iemo = Iemocap.Open(Fixture.Path_("iemocap", "mmin"), new IemocapOptions { Fold = fold, AudioFrames = 6, Log = notes.Add });
        var expected = Fixture.Expected("iemocap", "mmin", "expected.json");
        Assert.Equal(new[] { "text", "audio", "vision" }, iemo.Modalities.Select(m => m.Name));
        Assert.Equal(new long[] { 3, 4 }, iemo.Modalities[0].Shape);
        Assert.Equal(new long[] { 6, 5 }, iemo.Modalities[1].Shape);
        Assert.Equal(new long[] { 4, 3 }, iemo.Modalities[2].Shape);
        Assert.Equal(1, iemo.TruncatedUtterances);   // one utterance has 7 frames
        Assert.Single(notes);
        var e = expected.GetProperty("folds").GetProperty(fold.ToString());
        foreach (var (split, key) in new[] { (Split.Train, "trn"), (Split.Valid, "val"), (Split.Test, "tst") })
        {
            var want = e.GetProperty(key);
            var data = iemo.Get(split);
            Assert.Equal(Fixture.Strings(want.GetProperty("ids")), iemo.Ids[(int)split]);
            var labels = Fixture.Longs(want.GetProperty("labels"));
            var audios = want.GetProperty("audio").EnumerateArray().ToArray();
            for (int i = 0; i < data.Count; i++)
            {
                var sample = data.Read(i);
                Assert.Equal(labels[i], (long)sample.Target[0]);
                var audio = audios[i].EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
                int kept = Math.Min(audio.Length, 30);
                for (int j = 0; j < kept; j++) Assert.Equal(audio[j], sample.Modalities[1][j], 5);
                Assert.All(sample.Modalities[1][kept..], v => Assert.Equal(0f, v));   // zero-padded after normalisation
                Assert.Equal(want.GetProperty("text")[i].EnumerateArray().Select(x => (float)x.GetDouble()), sample.Modalities[0]);
                Assert.Equal(want.GetProperty("vision")[i].EnumerateArray().Select(x => (float)x.GetDouble()), sample.Modalities[2]);
            }
        }
        using var batch = iemo[Split.Test].Load([0, 2], CPU);
        Assert.Equal(ScalarType.Int64, batch.Target.dtype);
        Assert.Equal(new long[] { 2, 6, 5 }, batch.Modalities[1].shape);
    }

    [Fact]
    public void Iemocap_default_pads_audio_to_350_frames()
    {
        using var iemo = Iemocap.Open(Fixture.Path_("iemocap", "mmin"));
        Assert.Equal(new long[] { 350, 5 }, iemo.Modalities[1].Shape);
        Assert.Equal(0, iemo.TruncatedUtterances);
    }

    [Fact]
    public void Iemocap_errors_name_the_file_and_what_is_missing()
    {
        var e = Assert.Throws<DatasetFileException>(() => Iemocap.Open(Fixture.Path_("iemocap", "missing_utterance")));
        Assert.Equal(DataProblem.WrongKey, e.Problem);
        Assert.Contains("bert_large.h5", e.Message);
        Assert.Contains("Ses05M_script03_M007", e.Message);
        Assert.Contains("cggm data prepare iemocap", e.Message);
        var fold = Assert.Throws<DatasetFileException>(() => Iemocap.Open(Fixture.Path_("iemocap", "mmin"), new IemocapOptions { Fold = 3 }));
        Assert.Equal(DataProblem.Missing, fold.Problem);
        Assert.Contains(Path.Combine("target", "3", "trn_label.npy"), fold.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Iemocap.Open(Fixture.Path_("iemocap", "mmin"), new IemocapOptions { Fold = 11 }));
    }
}
