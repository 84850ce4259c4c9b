using System.Collections;
using Cggm.Data;
using Cggm.Data.Formats;

namespace Cggm.Tests.Data;

/// <summary>The format readers on files written by numpy 1.24, h5py 3.7 and nibabel 5.0.</summary>
public sealed class FormatReaderTests
{
    private static void AssertValues(System.Text.Json.JsonElement expected, NumpyArray array)
    {
        Assert.Equal(Fixture.Longs(expected.GetProperty("shape")), array.Shape);
        var values = expected.GetProperty("values");
        if (array.DType.Kind is 'S' or 'O') { Assert.Equal(Fixture.Strings(values), array.ToStrings()); return; }
        var want = Fixture.Doubles(values);
        var got = array.ToFloat64();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i]!.Value, got[i], 1e-9);
    }

    [Theory]
    [InlineData("f4_v1", "<f4")]
    [InlineData("f8_v1", "<f8")]
    [InlineData("i8_v1", "<i8")]
    [InlineData("f2_v1", "<f2")]
    [InlineData("bytes_v1", "|S20")]
    [InlineData("fortran_v1", "<f4")]
    [InlineData("bigendian_v1", "<f4")]
    [InlineData("f4_v2", "<f4")]
    [InlineData("f4_v3", "<f4")]
    public void Npy_reads_numpy_files(string name, string dtype)
    {
        var array = NpyFile.Read(Fixture.Path_("formats", "npy", name + ".npy"));
        Assert.Equal(dtype, array.DType.ToString());
        AssertValues(Fixture.Expected("formats", "npy", "expected.json").GetProperty(name), array);
    }

    [Theory]
    [InlineData("object.npy", DataProblem.WrongDtype)]
    [InlineData("truncated.npy", DataProblem.Truncated)]
    [InlineData("not_npy.npy", DataProblem.Corrupt)]
    [InlineData("absent.npy", DataProblem.Missing)]
    public void Npy_rejects_bad_files_naming_them(string name, DataProblem problem)
    {
        var path = Fixture.Path_("formats", "npy", name);
        var e = Assert.Throws<DatasetFileException>(() => NpyFile.Read(path));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(path, e.Message);
        Assert.Contains("Expected", e.Message);
    }

    [Fact]
    public void Npy_writer_round_trips_and_rows_are_memory_mapped()
    {
        using var dir = new Fixture.TempDir();
        var path = Path.Combine(dir.Path, "h.npy");
        var values = Enumerable.Range(0, 24).Select(i => (Half)(i * 0.5f)).ToArray();
        NpyFile.Write(path, values, 4, 2, 3);
        var back = NpyFile.Read(path);
        Assert.Equal("<f2", back.DType.ToString());
        Assert.Equal(new long[] { 4, 2, 3 }, back.Shape);
        Assert.Equal(values.Select(v => (float)v), back.ToFloat32());
        Assert.Equal(0, new FileInfo(path).Length % 2 == 0 ? NpyFile.ReadHeader(File.OpenRead(path), path).DataOffset % 64 : 1);
        using var rows = NpyFile.OpenRows(path);
        var row = new float[6];
        rows.ReadRow(2, row);
        Assert.Equal(new[] { 6f, 6.5f, 7f, 7.5f, 8f, 8.5f }, row);
        Assert.Throws<ArgumentOutOfRangeException>(() => rows.ReadRow(4, row));
    }

    [Theory]
    [InlineData("arrays_p2.pkl")]
    [InlineData("arrays_p3.pkl")]
    [InlineData("arrays_p4.pkl")]
    [InlineData("arrays_p5.pkl")]
    [InlineData("numpy2_p2.pkl")]
    [InlineData("numpy2_p5.pkl")]
    public void Pickle_reads_numpy_arrays_of_every_protocol(string file)
    {
        var root = Assert.IsType<Hashtable>(NumpyPickle.Load(Fixture.Path_("formats", "pickle", file)));
        var expected = Fixture.Expected("formats", "pickle", "expected.json");
        foreach (var key in new[] { "f4", "f8", "i8", "S", "obj_bytes", "fortran" })
            AssertValues(expected.GetProperty(key), Assert.IsType<NumpyArray>(root[key]));
        Assert.Equal("<f4", ((NumpyArray)root["f4"]!).DType.ToString());
        Assert.Equal("<f8", ((NumpyArray)root["f8"]!).DType.ToString());
        Assert.Equal("<i8", ((NumpyArray)root["i8"]!).DType.ToString());
        Assert.Equal('O', ((NumpyArray)root["obj_bytes"]!).DType.Kind);
        if (root.ContainsKey("scalar_f4")) Assert.Equal(new[] { 1.5f }, ((NumpyArray)root["scalar_f4"]!).ToFloat32());
    }

    [Theory]
    [InlineData("truncated.pkl", DataProblem.Truncated)]
    [InlineData("short_payload.pkl", DataProblem.Corrupt)]
    [InlineData("absent.pkl", DataProblem.Missing)]
    public void Pickle_rejects_bad_files_naming_them(string name, DataProblem problem)
    {
        var path = Fixture.Path_("formats", "pickle", name);
        var e = Assert.Throws<DatasetFileException>(() => NumpyPickle.Load(path));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Pickle_writer_output_reads_back()
    {
        using var dir = new Fixture.TempDir();
        var path = Path.Combine(dir.Path, "w.pkl");
        NumpyPickleWriter.Write(path, new Dictionary<string, object>
        {
            ["train"] = new Dictionary<string, object>
            {
                ["x"] = PickledArray.Float32([1, 2, 3, 4, 5, 6], 2, 3),
                ["y"] = PickledArray.Float64([-1.5, double.NegativeInfinity], 2, 1, 1),
                ["id"] = PickledArray.Bytes(["a", "bcd"], 2),
            },
        });
        var train = NumpyPickle.Get(NumpyPickle.Load(path), "train", path, "");
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, NumpyPickle.GetArray(train, "x", path, "train").ToFloat32());
        var y = NumpyPickle.GetArray(train, "y", path, "train");
        Assert.Equal(new long[] { 2, 1, 1 }, y.Shape);
        Assert.Equal(new[] { -1.5, double.NegativeInfinity }, y.ToFloat64());
        Assert.Equal(new[] { "a", "bcd" }, NumpyPickle.GetArray(train, "id", path, "train").ToStrings());
        var e = Assert.Throws<DatasetFileException>(() => NumpyPickle.GetArray(train, "labels", path, "['train']"));
        Assert.Equal(DataProblem.WrongKey, e.Problem);
        Assert.Contains("'x'", e.Message);
    }

    [Theory]
    [InlineData("dtype2.nii")]
    [InlineData("dtype4.nii")]
    [InlineData("dtype8.nii")]
    [InlineData("dtype16.nii")]
    [InlineData("dtype64.nii")]
    [InlineData("dtype256.nii")]
    [InlineData("dtype512.nii")]
    [InlineData("dtype768.nii")]
    [InlineData("bigendian.nii")]
    [InlineData("scaled.nii.gz")]
    [InlineData("four_d_extension.nii.gz")]
    public void Nifti_matches_nibabel(string name)
    {
        var expected = Fixture.Expected("formats", "nifti", "expected.json").GetProperty(name);
        var image = NiftiFile.Read(Fixture.Path_("formats", "nifti", name));
        Assert.Equal(Fixture.Longs(expected.GetProperty("shape")).Select(x => (int)x), image.Dims);
        Assert.Equal(expected.GetProperty("datatype").GetInt32(), image.Datatype);
        var want = Fixture.Doubles(expected.GetProperty("values_x_fastest"));
        Assert.Equal(want.Length, image.Data.Length);
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i]!.Value, image.Data[i], 1e-4);
    }

    [Theory]
    [InlineData("truncated.nii", DataProblem.Truncated)]
    [InlineData("bomb.nii.gz", null)]
    [InlineData("nifti2.nii.gz", DataProblem.Corrupt)]
    [InlineData("absent.nii.gz", DataProblem.Missing)]
    public void Nifti_rejects_bad_files_and_stops_inflating_at_the_declared_size(string name, DataProblem? problem)
    {
        var path = Fixture.Path_("formats", "nifti", name);
        if (problem is null)
        {
            // 1 MB of zeros after a header declaring 4×3×2 float32 voxels: only the declared 352 + 96 bytes are inflated.
            Assert.Equal(352 + 96, NiftiFile.Inflate(path).Length);
            Assert.Equal(24, NiftiFile.Read(path).Data.Length);
            return;
        }
        var e = Assert.Throws<DatasetFileException>(() => NiftiFile.Read(path));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Nifti_writer_round_trips()
    {
        using var dir = new Fixture.TempDir();
        var path = Path.Combine(dir.Path, "v.nii.gz");
        var data = Enumerable.Range(0, 24).Select(i => (float)(i - 7)).ToArray();
        NiftiFile.Write(path, [4, 3, 2], data, asInt16: true);
        var image = NiftiFile.Read(path);
        Assert.Equal(new[] { 4, 3, 2 }, image.Dims);
        Assert.Equal(data, image.Data);
        Assert.Equal(data[1 + 4 * (2 + 3 * 1)], image[1, 2, 1]);
    }

    [Fact]
    public void Hdf5_reads_h5py_files_by_type_and_hyperslab()
    {
        var root = Fixture.Path_("iemocap", "mmin");
        using (var a = Hdf5File.Open(Path.Combine(root, "A", "comparE.h5")))
        {
            Assert.Equal(new long[] { 3, 5 }, a.Dimensions("Ses01F_impro01_F000"));
            Assert.Equal(15, a.ReadFloat32("Ses01F_impro01_F000").Length);   // stored float64
            Assert.Equal(a.ReadFloat32("Ses01F_impro01_F000")[5..10], a.ReadFloat32("Ses01F_impro01_F000", [1, 0], [1, 5]));
        }
        using var ms = Hdf5File.Open(Path.Combine(root, "A", "comparE_mean_std.h5"));
        Assert.True(ms.Contains("10/std"));
        Assert.False(ms.Contains("11/std"));
        var e = Assert.Throws<DatasetFileException>(() => ms.ReadFloat32("11/mean"));
        Assert.Equal(DataProblem.WrongKey, e.Problem);
        using var brats = Hdf5File.Open(Fixture.Path_("brats2021", "h5", "train", "BraTS2021_train00.h5"));
        var dims = brats.Dimensions("image");
        Assert.Equal(new long[] { 4, 10, 9, 8 }, dims);
        var whole = brats.ReadFloat32("image");
        var slice = brats.ReadFloat32("image", [0, 0, 0, 3], [4, 10, 9, 1]);   // chunked + gzip in the file
        for (int i = 0; i < slice.Length; i++) Assert.Equal(whole[i * 8 + 3], slice[i]);
        Assert.Equal(10 * 9 * 8, brats.ReadInt64("label").Length);
        Assert.True(brats.IsChunked("image"));
        Assert.False(brats.IsChunked("label"));
        using var chunked = Hdf5File.Open(Fixture.Path_("brats2021", "h5", "valid", "BraTS2021_valid01.h5"));
        Assert.True(chunked.IsChunked("label"));
        Assert.Equal(chunked.ReadInt64("label").Where((_, i) => i % 8 == 3), chunked.ReadInt64("label", [0, 0, 3], [10, 9, 1]));
    }

    [Fact]
    public void Hdf5_rejects_missing_and_non_hdf5_files()
    {
        var missing = Assert.Throws<DatasetFileException>(() => Hdf5File.Open(Fixture.Path_("absent.h5")));
        Assert.Equal(DataProblem.Missing, missing.Problem);
        var corrupt = Assert.Throws<DatasetFileException>(() => Hdf5File.Open(Fixture.Path_("formats", "npy", "f4_v1.npy")));
        Assert.Contains("f4_v1.npy", corrupt.Message);
        Assert.True(corrupt.Problem is DataProblem.Corrupt or DataProblem.Truncated);
    }
}
