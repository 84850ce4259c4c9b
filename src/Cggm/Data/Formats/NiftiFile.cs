using System.Buffers.Binary;
using System.IO.Compression;

namespace Cggm.Data.Formats;

/// <summary>
/// A NIfTI-1 volume (<c>.nii</c> or gzip-compressed <c>.nii.gz</c>, single file, magic <c>n+1</c>) as float32 values in
/// the file's x-fastest order, so <c>value(x, y, z, t) = Data[x + nx·(y + ny·(z + nz·t))]</c>, the indexing nibabel's
/// <c>get_fdata()[x, y, z, t]</c> uses. Both byte orders; datatypes 2 (uint8), 4 (int16), 8 (int32), 16 (float32),
/// 64 (float64), 256 (int8), 512 (uint16), 768 (uint32); when <c>scl_slope ≠ 0</c> the stored value v becomes
/// <c>v·scl_slope + scl_inter</c>. NIfTI-2 and the two-file <c>.hdr/.img</c> form are rejected.
/// </summary>
public sealed class NiftiFile
{
    private NiftiFile(string path, int[] dims, short datatype, float[] spacing, float[] data)
    {
        Path = path;
        Dims = dims;
        Datatype = datatype;
        Spacing = spacing;
        Data = data;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Sizes of the used dimensions (<c>dim[1..dim[0]]</c>), e.g. 240, 240, 155 for BraTS.</summary>
    public int[] Dims { get; }

    /// <summary>The NIfTI datatype code.</summary>
    public short Datatype { get; }

    /// <summary>Voxel spacing <c>pixdim[1..]</c> (informative).</summary>
    public float[] Spacing { get; }

    /// <summary>The voxel values after scaling, x fastest.</summary>
    public float[] Data { get; }

    /// <summary>Value at (x, y, z) of a 3-D volume (t = 0).</summary>
    public float this[int x, int y, int z] => Data[x + Dims[0] * (y + Dims[1] * z)];

    /// <summary>Reads <paramref name="path"/>; <c>.gz</c> files are inflated, at most to the size the header announces.</summary>
    public static NiftiFile Read(string path)
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such file", "a NIfTI-1 file (.nii or .nii.gz)");
        byte[] bytes;
        try { bytes = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Inflate(path) : File.ReadAllBytes(path); }
        catch (InvalidDataException e) { throw new DatasetFileException(DataProblem.Corrupt, path, $"not valid gzip ({e.Message})", "a gzip-compressed NIfTI-1 file", inner: e); }
        return Parse(path, bytes);
    }

    /// <summary>Parses an uncompressed NIfTI-1 image held in memory.</summary>
    public static NiftiFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 348) throw new DatasetFileException(DataProblem.Truncated, path, $"{bytes.Length} bytes, shorter than the 348-byte header", "a NIfTI-1 file");
        int sizeLe = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        bool little = sizeLe == 348;
        if (!little && BinaryPrimitives.ReadInt32BigEndian(bytes) != 348)
        {
            bool nifti2 = sizeLe == 540 || BinaryPrimitives.ReadInt32BigEndian(bytes) == 540;
            throw new DatasetFileException(DataProblem.Corrupt, path, nifti2 ? "a NIfTI-2 header (sizeof_hdr 540)" : $"sizeof_hdr {sizeLe}", "a NIfTI-1 header (sizeof_hdr 348)");
        }
        var h = bytes.AsSpan();
        short I16(int at) => ReadInt16(bytes, at, little);
        float F32(int at) => ReadSingle(bytes, at, little);
        var magic = System.Text.Encoding.ASCII.GetString(bytes, 344, 3);
        if (magic != "n+1")
            throw new DatasetFileException(DataProblem.Corrupt, path, magic == "ni1" ? "a two-file .hdr/.img NIfTI header" : $"magic '{magic}'", "a single-file NIfTI-1 image (magic 'n+1')");
        int rank = I16(40);
        if (rank is < 1 or > 7) throw new DatasetFileException(DataProblem.Corrupt, path, $"dim[0] = {rank}", "a rank between 1 and 7");
        var dims = Enumerable.Range(1, rank).Select(i => (int)I16(40 + 2 * i)).ToArray();
        if (dims.Any(d => d < 1)) throw new DatasetFileException(DataProblem.Corrupt, path, $"dim = [{string.Join(", ", dims)}]", "positive sizes");
        short datatype = I16(70);
        int bytesPer = datatype switch { 2 or 256 => 1, 4 or 512 => 2, 8 or 16 or 768 => 4, 64 => 8, _ => 0 };
        if (bytesPer == 0) throw new DatasetFileException(DataProblem.WrongDtype, path, $"datatype {datatype}", "datatype 2, 4, 8, 16, 64, 256, 512 or 768");
        short bitpix = I16(72);
        if (bitpix != bytesPer * 8) throw new DatasetFileException(DataProblem.Corrupt, path, $"bitpix {bitpix} for datatype {datatype}", $"bitpix {bytesPer * 8}");
        var spacing = Enumerable.Range(1, rank).Select(i => F32(76 + 4 * i)).ToArray();
        float voxOffset = F32(108), slope = F32(112), inter = F32(116);
        long offset = (long)voxOffset;
        if (offset < 348 || offset != voxOffset) throw new DatasetFileException(DataProblem.Corrupt, path, $"vox_offset {voxOffset}", "a whole-number vox_offset ≥ 348");
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (offset + count * bytesPer > bytes.LongLength)
            throw new DatasetFileException(DataProblem.Truncated, path, $"{bytes.LongLength - offset} data bytes after vox_offset {offset}, the header announces {count} voxels × {bytesPer} bytes", "a complete image");
        if (count > Array.MaxLength) throw new DatasetFileException(DataProblem.WrongShape, path, $"{count} voxels", "a volume under 2^31 voxels");
        var data = new float[count];
        var d = h[(int)offset..];
        bool scale = slope != 0 && float.IsFinite(slope) && !(slope == 1 && inter == 0);
        for (int i = 0; i < data.Length; i++)
        {
            double v = datatype switch
            {
                2 => d[i],
                256 => (sbyte)d[i],
                4 => little ? BinaryPrimitives.ReadInt16LittleEndian(d[(2 * i)..]) : BinaryPrimitives.ReadInt16BigEndian(d[(2 * i)..]),
                512 => little ? BinaryPrimitives.ReadUInt16LittleEndian(d[(2 * i)..]) : BinaryPrimitives.ReadUInt16BigEndian(d[(2 * i)..]),
                8 => little ? BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]) : BinaryPrimitives.ReadInt32BigEndian(d[(4 * i)..]),
                768 => little ? BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * i)..]) : BinaryPrimitives.ReadUInt32BigEndian(d[(4 * i)..]),
                16 => little ? BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]) : BinaryPrimitives.ReadSingleBigEndian(d[(4 * i)..]),
                _ => little ? BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]) : BinaryPrimitives.ReadDoubleBigEndian(d[(8 * i)..]),
            };
            data[i] = (float)(scale ? v * slope + inter : v);
        }
        return new NiftiFile(path, dims, datatype, spacing, data);
    }

    /// <summary>Writes a single-file NIfTI-1 image (little-endian, vox_offset 352, identity-free qform/sform codes 0) with
    /// datatype 16 (float32) or, when <paramref name="asInt16"/>, 4 (int16, values rounded); <c>.gz</c> paths are gzipped.</summary>
    public static void Write(string path, int[] dims, float[] data, bool asInt16 = false, float spacing = 1f)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (dims.Length is < 1 or > 7 || count != data.LongLength) throw new ArgumentException($"{path}: {data.Length} values do not fill dims [{string.Join(", ", dims)}].");
        int bytesPer = asInt16 ? 2 : 4;
        var bytes = new byte[352 + count * bytesPer];
        var h = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(h, 348);
        BinaryPrimitives.WriteInt16LittleEndian(h[40..], (short)dims.Length);
        for (int i = 0; i < 7; i++) BinaryPrimitives.WriteInt16LittleEndian(h[(42 + 2 * i)..], (short)(i < dims.Length ? dims[i] : 1));
        BinaryPrimitives.WriteInt16LittleEndian(h[70..], (short)(asInt16 ? 4 : 16));
        BinaryPrimitives.WriteInt16LittleEndian(h[72..], (short)(bytesPer * 8));
        BinaryPrimitives.WriteSingleLittleEndian(h[76..], 1f);
        for (int i = 0; i < 7; i++) BinaryPrimitives.WriteSingleLittleEndian(h[(80 + 4 * i)..], i < dims.Length ? spacing : 1f);
        BinaryPrimitives.WriteSingleLittleEndian(h[108..], 352f);
        BinaryPrimitives.WriteSingleLittleEndian(h[112..], 1f);
        h[123] = 10;   // xyzt_units: mm, s
        "n+1\0"u8.CopyTo(h[344..]);
        for (int i = 0; i < data.Length; i++)
        {
            if (asInt16) BinaryPrimitives.WriteInt16LittleEndian(h[(352 + 2 * i)..], checked((short)Math.Round(data[i])));
            else BinaryPrimitives.WriteSingleLittleEndian(h[(352 + 4 * i)..], data[i]);
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) { File.WriteAllBytes(path, bytes); return; }
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(bytes);
    }

    private static short ReadInt16(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadInt16BigEndian(b.AsSpan(at));

    private static float ReadSingle(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadSingleBigEndian(b.AsSpan(at));

    /// <summary>Inflates a <c>.nii.gz</c>: reads the header first and stops at <c>vox_offset + voxels × bytes</c>, so a
    /// small file cannot expand to more than the image it declares (gzip-bomb guard).</summary>
    internal static byte[] Inflate(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[352];
        int got = gzip.ReadAtLeast(header, 348, throwOnEndOfStream: false);
        if (got < 348) throw new DatasetFileException(DataProblem.Truncated, path, $"{got} bytes after inflating, shorter than the 348-byte header", "a NIfTI-1 file");
        bool little = BinaryPrimitives.ReadInt32LittleEndian(header) == 348;
        if (!little && BinaryPrimitives.ReadInt32BigEndian(header) != 348) return header[..got];   // Parse reports the header
        short I16(int at) => ReadInt16(header, at, little);
        int rank = Math.Clamp((int)I16(40), 1, 7);
        long count = 1;
        for (int i = 1; i <= rank; i++) count *= Math.Max(1, (int)I16(40 + 2 * i));
        float voxOffset = ReadSingle(header, 108, little);
        long total = (long)Math.Max(352, voxOffset) + count * Math.Max(1, I16(72) / 8);
        if (total > Array.MaxLength) throw new DatasetFileException(DataProblem.WrongShape, path, $"the header announces {total} bytes", "a volume under 2 GB");
        var bytes = new byte[total];
        header.AsSpan(0, got).CopyTo(bytes);
        int filled = got + gzip.ReadAtLeast(bytes.AsSpan(got), (int)(total - got), throwOnEndOfStream: false);
        return filled == bytes.Length ? bytes : bytes[..filled];
    }
}
