using Cggm.Data;
using Cggm.Data.Formats;
using static TorchSharp.torch;

namespace Cggm.Tests.Data;

/// <summary>BraTS 2021: released .h5 layout (h5py fixtures), official NIfTI folders (nibabel fixtures), sampling and augmentation.</summary>
public sealed class Brats2021Tests
{
    private static readonly Brats2021Options Tiny = new() { CropSize = 6, CacheTumourSlices = false };

    [Fact]
    public void H5_cases_give_four_modalities_and_remapped_labels_of_tumour_slices()
    {
        var brats = Brats2021.Open(Fixture.Path_("brats2021", "h5"), Tiny with { EvalSlices = BratsEvalSlices.AllTumour });
        var expected = Fixture.Expected("brats2021", "expected.json").GetProperty("h5");
        Assert.Equal("h5", brats.Source);
        Assert.Equal(new[] { "flair", "t1ce", "t1", "t2" }, brats.Modalities.Select(m => m.Name));
        Assert.All(brats.Modalities, m => Assert.Equal(new long[] { 1, 6, 6 }, m.Shape));
        Assert.Equal(new long[] { 6, 6 }, brats.Label.Shape);
        Assert.Equal(3, brats[Split.Train].Count);   // one sample per case in training
        int sample = 0;
        foreach (var id in brats.CaseIds[1])
        {
            var file = Fixture.Path_("brats2021", "h5", "valid", id + ".h5");
            var slices = Fixture.Longs(expected.GetProperty($"valid/{id}.h5").GetProperty("tumour_slices"));
            using var h5 = Hdf5File.Open(file);
            var image = h5.ReadFloat32("image");      // (4, 10, 9, 8)
            var label = h5.ReadInt64("label");        // (10, 9, 8)
            foreach (var z in slices)
            {
                var s = brats.Get(Split.Valid).Read(sample++);
                for (int m = 0; m < 4; m++)
                    for (int x = 0; x < 6; x++)
                        for (int y = 0; y < 6; y++)   // centre crop offsets: round(4/2) = 2, round(3/2) = 2
                            Assert.Equal(image[((m * 10 + x + 2) * 9 + y + 2) * 8 + z], s.Modalities[m][x * 6 + y]);
                for (int x = 0; x < 6; x++)
                    for (int y = 0; y < 6; y++)
                    {
                        long raw = label[((x + 2) * 9 + y + 2) * 8 + z];
                        Assert.Equal(raw == 4 ? 3 : raw, (long)s.Target[x * 6 + y]);
                    }
                Assert.Contains(s.Target, v => v != 0);
            }
        }
        Assert.Equal(brats[Split.Valid].Count, sample);
        using var batch = brats[Split.Train].Load([0, 1, 2], CPU);
        Assert.Equal(4, batch.Modalities.Length);
        Assert.Equal(new long[] { 3, 1, 6, 6 }, batch.Modalities[0].shape);
        Assert.Equal(ScalarType.Int64, batch.Target.dtype);
        Assert.Equal(new long[] { 3, 6, 6 }, batch.Target.shape);
        Assert.InRange(batch.Target.max().item<long>(), 1, 3);
    }

    [Fact]
    public void Fixed_evaluation_is_deterministic_and_random_mode_is_the_released_draw()
    {
        var root = Fixture.Path_("brats2021", "h5");
        var a = Brats2021.Open(root, Tiny with { Augment = false }).Get(Split.Test);
        var b = Brats2021.Open(root, Tiny with { Augment = false }).Get(Split.Test);
        Assert.Equal(2, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a.Read(i).Target, a.Read(i).Target);
            Assert.Equal(a.Read(i).Modalities[0], b.Read(i).Modalities[0]);
        }
        var random = Brats2021.Open(root, Tiny with { EvalSlices = BratsEvalSlices.Random }).Get(Split.Test);
        Assert.Equal(2, random.Count);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Contains(random.Read(0).Target, v => v != 0));
    }

    [Fact]
    public void Augmentation_is_a_rot90_and_flip_applied_alike_to_images_and_label()
    {
        const int c = 4;
        var channel = Enumerable.Range(0, c * c).Select(v => (float)v).ToArray();
        var target = Enumerable.Range(0, c * c).Select(v => (double)v).ToArray();
        var seen = new HashSet<string>();
        for (int seed = 0; seed < 200; seed++)
        {
            var (outCh, outTarget) = Brats2021.Augment([channel, channel, channel, channel], target, c, new Random(seed));
            var noisy = outCh[0].Select((v, i) => v != (float)outTarget[i]).Any(x => x);
            if (!noisy) Assert.All(outCh, ch => Assert.Equal(outTarget.Select(v => (float)v), ch));
            Assert.Equal(target.Order(), outTarget.Order());
            seen.Add(string.Join(",", outTarget));
        }
        // rot90 k ∈ {0, 1, 2} then a flip of axis 0 or 1: six draws but only four distinct maps, all reflections
        // (rot180 ∘ flip_x = flip_y): the two axis flips and the two transposes. The identity never occurs.
        Assert.Equal(4, seen.Count);
        Assert.DoesNotContain(string.Join(",", target), seen);
        Assert.Contains(string.Join(",", Enumerable.Range(0, 16).Select(i => (double)(i / 4 * 4 + 3 - i % 4))), seen);   // k = 0, flip axis 1
    }

    [Fact]
    public void Nifti_cases_are_preprocessed_as_documented()
    {
        var expected = Fixture.Expected("brats2021", "expected.json").GetProperty("nifti");
        foreach (var caseProp in expected.EnumerateObject())
        {
            var folder = Fixture.Path_("brats2021", "nifti", "BraTS2021_Training_Data", caseProp.Name);
            var nifti = new BratsNiftiCase(folder, depthStart: 1, depthCount: 6);
            Assert.Equal((10, 9, 6), nifti.Size);
            var tumour = nifti.TumourPerSlice(128);
            Assert.Equal(Fixture.Longs(caseProp.Value.GetProperty("tumour_slices_after_crop")), Enumerable.Range(0, 6).Where(z => tumour[z]).Select(z => (long)z));
            var probe = Fixture.Doubles(caseProp.Value.GetProperty("preprocessed_probe"));
            var (image, _) = nifti.ReadSlice(2);
            for (int m = 0; m < 4; m++) Assert.Equal(probe[m]!.Value, image[(m * 10 + 3) * 9 + 4], 4);
            double sum = Enumerable.Range(0, 6).Sum(z => nifti.ReadSlice(z).Image.Sum(v => (double)v));
            Assert.Equal(caseProp.Value.GetProperty("preprocessed_sum").GetDouble(), sum, 2);
        }
    }

    [Fact]
    public void Nifti_release_is_split_by_the_documented_hash_rule()
    {
        var brats = Brats2021.Open(Fixture.Path_("brats2021", "nifti"), Tiny with { DepthStart = 1, DepthCount = 6, SplitFractions = (0.4, 0.2) });
        Assert.Equal("nifti", brats.Source);
        var all = brats.CaseIds.SelectMany(x => x).ToArray();
        Assert.Equal(5, all.Length);
        Assert.Equal(new[] { 2, 1, 2 }, brats.CaseIds.Select(x => x.Count));
        var split = Brats2021.SplitCases(all, (0.4, 0.2), 0);
        Assert.Equal(split.Select(s => s.Length), new[] { 2, 1, 2 });
        Assert.Equal(split[0], brats.CaseIds[0]);
        Assert.NotEqual(split.Select(s => string.Join(",", s)), Brats2021.SplitCases(all, (0.4, 0.2), 1).Select(s => string.Join(",", s)));
        using var batch = brats[Split.Test].Load([0, 1], CPU);
        Assert.Equal(new long[] { 2, 1, 6, 6 }, batch.Modalities[3].shape);
    }

    [Fact]
    public void Nifti_to_h5_script_output_matches_the_csharp_nifti_path()
    {
        // data-scripts/brats2021/nifti_to_h5.py ran on the NIfTI fixture (make_fixtures.py); both routes must give the same samples.
        var options = Tiny with { DepthStart = 1, DepthCount = 6, SplitFractions = (0.4, 0.2), EvalSlices = BratsEvalSlices.AllTumour };
        var fromNifti = Brats2021.Open(Fixture.Path_("brats2021", "nifti"), options);
        var fromH5 = Brats2021.Open(Fixture.Path_("brats2021", "converted"), options);
        for (int s = 0; s < 3; s++) Assert.Equal(fromNifti.CaseIds[s], fromH5.CaseIds[s]);
        foreach (var split in new[] { Split.Valid, Split.Test })
        {
            Assert.Equal(fromNifti[split].Count, fromH5[split].Count);
            for (int i = 0; i < fromH5[split].Count; i++)
            {
                var a = fromNifti.Get(split).Read(i);
                var b = fromH5.Get(split).Read(i);
                Assert.Equal(a.Target, b.Target);
                for (int m = 0; m < 4; m++)
                    for (int j = 0; j < a.Modalities[m].Length; j++) Assert.Equal(a.Modalities[m][j], b.Modalities[m][j], 5);
            }
        }
    }

    [Fact]
    public void Tumour_slice_lists_are_cached_next_to_the_data()
    {
        using var dir = new Fixture.TempDir();
        foreach (var s in new[] { "train", "valid", "test" })
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, s));
            foreach (var f in Directory.GetFiles(Fixture.Path_("brats2021", "h5", s))) File.Copy(f, Path.Combine(dir.Path, s, Path.GetFileName(f)));
        }
        var notes = new List<string>();
        var first = Brats2021.Open(dir.Path, Tiny with { CacheTumourSlices = true, Log = notes.Add, EvalSlices = BratsEvalSlices.AllTumour });
        Assert.True(File.Exists(Path.Combine(dir.Path, "tumour-slices.json")));
        Assert.Single(notes);
        notes.Clear();
        var second = Brats2021.Open(dir.Path, Tiny with { CacheTumourSlices = true, Log = notes.Add, EvalSlices = BratsEvalSlices.AllTumour });
        Assert.Empty(notes);
        Assert.Equal(first[Split.Valid].Count, second[Split.Valid].Count);
    }

    [Theory]
    [InlineData("broken", DataProblem.WrongKey, "'label'")]
    [InlineData("broken_rank", DataProblem.WrongShape, "'image'")]
    [InlineData("absent", DataProblem.Missing, "absent")]
    public void Errors_name_the_file_and_the_script(string folder, DataProblem problem, string mention)
    {
        var e = Assert.Throws<DatasetFileException>(() => Brats2021.Open(Fixture.Path_("brats2021", folder), Tiny));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(mention, e.Message);
        Assert.Contains("cggm data prepare brats2021", e.Message);
    }
}
