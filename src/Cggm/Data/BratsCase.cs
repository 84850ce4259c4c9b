using Cggm.Data.Formats;

namespace Cggm.Data;

/// <summary>One BraTS case that can be read one depth slice at a time.</summary>
internal interface IBratsCase
{
    /// <summary>Case id (file or folder name).</summary>
    string Id { get; }

    /// <summary>The file whose content and date key the tumour-slice cache.</summary>
    string KeyFile { get; }

    /// <summary>Width, height and depth (after any depth crop).</summary>
    (int W, int H, int D) Size { get; }

    /// <summary>For each depth slice z &lt; min(<paramref name="sliceRange"/>, D): does its label contain tumour?</summary>
    bool[] TumourPerSlice(int sliceRange);

    /// <summary>Image slice z as [4, W, H] (x outer, y inner) and label slice [W, H], labels as stored ({0, 1, 2, 4}).</summary>
    (float[] Image, long[] Label) ReadSlice(int z);

    /// <summary>The file that holds modality <paramref name="modality"/> (0–3: flair, t1ce, t1, t2), or the label when null.</summary>
    string FileOf(int? modality);

    /// <summary>Where in <see cref="FileOf"/> it is, e.g. <c>'image'[1]</c> (for messages).</summary>
    string PartOf(int? modality);
}

/// <summary>
/// A case in the released CGGM layout: one <c>.h5</c> with <c>image</c> (4, W, H, D) in the order FLAIR, T1ce, T1, T2
/// and <c>label</c> (W, H, D). A slice is read as two HDF5 hyperslabs (<c>image[:, :, :, z]</c>, <c>label[:, :, z]</c>),
/// never the whole volume.
/// </summary>
internal sealed class BratsH5Case : IBratsCase
{
    public BratsH5Case(string path)
    {
        Id = Path.GetFileNameWithoutExtension(path);
        KeyFile = path;
        using var file = Hdf5File.Open(path);
        var image = file.Dimensions("image");
        var label = file.Dimensions("label");
        if (image.Length != 4 || image[0] != 4)
            throw new DatasetFileException(DataProblem.WrongShape, path, $"'image' has shape ({string.Join(", ", image)})", "(4, W, H, D): FLAIR, T1ce, T1, T2 stacked on the first axis");
        if (label.Length != 3 || label[0] != image[1] || label[1] != image[2] || label[2] != image[3])
            throw new DatasetFileException(DataProblem.WrongShape, path, $"'label' has shape ({string.Join(", ", label)})", $"({image[1]}, {image[2]}, {image[3]}), the image's spatial shape");
        Size = ((int)image[1], (int)image[2], (int)image[3]);
    }

    /// <summary>Optional dataset written by data-scripts/brats2021/nifti_to_h5.py: the depth indices whose label slice
    /// has tumour (the released loader ignores it).</summary>
    public const string PrecomputedSlices = "tumour_slices";

    public string Id { get; }

    public string KeyFile { get; }

    public (int W, int H, int D) Size { get; }

    public bool[] TumourPerSlice(int sliceRange)
    {
        using var file = Hdf5File.Open(KeyFile);
        var (w, h, d) = Size;
        var result = new bool[Math.Min(sliceRange, d)];
        if (file.Contains(PrecomputedSlices))
        {
            foreach (var z in file.ReadInt64(PrecomputedSlices))
                if (z >= 0 && z < result.Length) result[z] = true;
            return result;
        }
        if (file.IsChunked("label"))
        {
            // One hyperslab per slice: with per-slice chunks (nifti_to_h5.py) each read inflates one chunk, while PureHDF
            // takes minutes for a whole-volume read of 128 chunks (measured: 247 s for one 240×240×128 case).
            for (int z = 0; z < result.Length; z++) result[z] = file.ReadInt64("label", [0, 0, z], [w, h, 1]).Any(v => v != 0);
            return result;
        }
        var label = file.ReadInt64("label");
        for (long i = 0; i < label.LongLength; i++)
            if (label[i] != 0 && i % d < result.Length) result[i % d] = true;   // label[x, y, z] at (x·H + y)·D + z
        return result;
    }

    public string FileOf(int? modality) => KeyFile;

    public string PartOf(int? modality) => modality is { } m ? $"dataset 'image'[{m}]" : "dataset 'label'";

    public (float[] Image, long[] Label) ReadSlice(int z)
    {
        var (w, h, _) = Size;
        using var file = Hdf5File.Open(KeyFile);
        return (file.ReadFloat32("image", [0, 0, 0, z], [4, w, h, 1]), file.ReadInt64("label", [0, 0, z], [w, h, 1]));
    }
}

/// <summary>
/// A case of the official BraTS 2021 release: a folder <c>BraTS2021_xxxxx/</c> with
/// <c>BraTS2021_xxxxx_{flair,t1ce,t1,t2,seg}.nii.gz</c> (or uncompressed <c>.nii</c>; 240×240×155, 1 mm, skull-stripped), read with
/// <see cref="NiftiFile"/> and brought to the released layout by our preprocessing assumption (the CGGM authors did not
/// publish theirs): each modality z-scored over the brain voxels (where the sum of the four raw modalities is &gt; 0,
/// population std; 0 outside the brain), then depth slices [DepthStart, DepthStart + DepthCount) kept (20..147 by
/// default, the common BraTS 2-D recipe that gives the 128 slices CGGM's sampler expects). The last preprocessed case is
/// kept in memory (5 volumes ≈ 180 MB for real cases), so consecutive slices of one case decompress it once.
/// </summary>
internal sealed class BratsNiftiCase : IBratsCase
{
    private static readonly string[] ModalityNames = ["flair", "t1ce", "t1", "t2"];
    private readonly int _depthStart;
    private readonly object _gate = new();
    private (float[][] Image, float[] Label)? _cached;

    public BratsNiftiCase(string folder, int depthStart, int depthCount)
    {
        Folder = folder;
        Id = Path.GetFileName(folder);
        foreach (var m in ModalityNames.Append("seg"))
            if (Volume(folder, m) is null)
                throw new DatasetFileException(DataProblem.Missing, Path.Combine(folder, $"{Id}_{m}.nii.gz"), $"no such file (nor {Id}_{m}.nii)", $"{Id}_{{flair,t1ce,t1,t2,seg}}.nii.gz or .nii in {folder}");
        KeyFile = FilePath("seg");
        var seg = NiftiFile.Read(KeyFile);
        if (seg.Dims.Length != 3) throw new DatasetFileException(DataProblem.WrongShape, KeyFile, $"dims [{string.Join(", ", seg.Dims)}]", "a 3-D volume");
        _depthStart = Math.Min(depthStart, seg.Dims[2]);
        Size = (seg.Dims[0], seg.Dims[1], Math.Min(depthCount, seg.Dims[2] - _depthStart));
        if (Size.D < 1) throw new DatasetFileException(DataProblem.WrongShape, KeyFile, $"depth {seg.Dims[2]}", $"more than DepthStart = {depthStart} slices");
    }

    public string Folder { get; }

    public string Id { get; }

    public string KeyFile { get; }

    public (int W, int H, int D) Size { get; }

    private string FilePath(string modality) => Volume(Folder, modality)!;

    /// <summary>The case's volume <c>&lt;case&gt;_&lt;part&gt;.nii.gz</c>, else the uncompressed <c>.nii</c> (both are documented layouts); null when neither exists.</summary>
    public static string? Volume(string folder, string part)
    {
        var stem = Path.Combine(folder, $"{Path.GetFileName(folder)}_{part}");
        return File.Exists(stem + ".nii.gz") ? stem + ".nii.gz" : File.Exists(stem + ".nii") ? stem + ".nii" : null;
    }

    public string FileOf(int? modality) => FilePath(modality is { } m ? ModalityNames[m] : "seg");

    public string PartOf(int? modality) => "volume";

    public bool[] TumourPerSlice(int sliceRange)
    {
        var seg = NiftiFile.Read(KeyFile);
        var (w, h, d) = Size;
        var result = new bool[Math.Min(sliceRange, d)];
        for (int z = 0; z < result.Length; z++)
        {
            int offset = w * h * (z + _depthStart);
            for (int i = 0; i < w * h && !result[z]; i++) result[z] = seg.Data[offset + i] != 0;
        }
        return result;
    }

    public (float[] Image, long[] Label) ReadSlice(int z)
    {
        var (image, label) = Load();
        var (w, h, _) = Size;
        var outImage = new float[4 * w * h];
        var outLabel = new long[w * h];
        int offset = w * h * (z + _depthStart);
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++)
            {
                int src = offset + x + w * y;   // NIfTI is x-fastest; the released layout is (x, y) row-major
                for (int c = 0; c < 4; c++) outImage[(c * w + x) * h + y] = image[c][src];
                outLabel[x * h + y] = (long)label[src];
            }
        return (outImage, outLabel);
    }

    private (float[][] Image, float[] Label) Load()
    {
        lock (_gate)
        {
            if (_cached is { } c) return c;
            var volumes = ModalityNames.Select(m => NiftiFile.Read(FilePath(m))).ToArray();
            var seg = NiftiFile.Read(KeyFile);
            foreach (var v in volumes)
                if (!v.Dims.SequenceEqual(seg.Dims)) throw new DatasetFileException(DataProblem.WrongShape, v.Path, $"dims [{string.Join(", ", v.Dims)}]", $"[{string.Join(", ", seg.Dims)}] like the segmentation");
            var image = ZScoreOverBrain(volumes.Select(v => v.Data).ToArray());
            _cached = (image, seg.Data);
            return _cached.Value;
        }
    }

    /// <summary>Our assumption: per modality, (v − mean)/std over voxels where the four raw modalities sum to &gt; 0; 0 elsewhere.</summary>
    internal static float[][] ZScoreOverBrain(float[][] raw)
    {
        int n = raw[0].Length;
        var brain = new bool[n];
        for (int i = 0; i < n; i++) brain[i] = raw[0][i] + (double)raw[1][i] + raw[2][i] + raw[3][i] > 0;
        return raw.Select(v =>
        {
            double sum = 0, sq = 0;
            long count = 0;
            for (int i = 0; i < n; i++) if (brain[i]) { sum += v[i]; count++; }
            double mean = count > 0 ? sum / count : 0;
            for (int i = 0; i < n; i++) if (brain[i]) sq += (v[i] - mean) * (v[i] - mean);
            double std = count > 0 ? Math.Sqrt(sq / count) : 0;
            if (std == 0) std = 1;
            var result = new float[n];
            for (int i = 0; i < n; i++) result[i] = brain[i] ? (float)((v[i] - mean) / std) : 0f;
            return result;
        }).ToArray();
    }
}
