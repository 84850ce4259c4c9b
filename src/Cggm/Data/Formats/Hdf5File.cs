using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Cggm.Data.Formats;

/// <summary>
/// A read-only HDF5 file (PureHDF, fully managed) with the reads the loaders need: datasets by path, dimensions, and
/// numeric data as float32 or int64 whatever the stored type (h5py writes float64 for MMIN's ComParE features, float32
/// elsewhere; PureHDF refuses a read whose element size differs from the stored one, so the type is branched on
/// here), optionally one hyperslab (for example one BraTS depth slice) instead of the whole dataset.
/// Thread-safe: reads are serialised.
/// </summary>
public sealed class Hdf5File : IDisposable
{
    private readonly NativeFile _file;
    private readonly object _gate = new();
    private Dictionary<string, IH5Object>? _root;

    private Hdf5File(string path, NativeFile file)
    {
        Path = path;
        _file = file;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/>; a missing or non-HDF5 file gives a <see cref="DatasetFileException"/>.</summary>
    public static Hdf5File Open(string path)
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such file", "an HDF5 file");
        RequireComplete(path);
        try { return new Hdf5File(path, H5File.OpenRead(path)); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var truncated = e is EndOfStreamException || new FileInfo(path).Length < 512;
            throw new DatasetFileException(truncated ? DataProblem.Truncated : DataProblem.Corrupt, path, $"not a readable HDF5 file ({e.GetType().Name}: {e.Message})", "an HDF5 file (as written by h5py)", inner: e);
        }
    }

    /// <summary>
    /// Refuses a truncated file as libhdf5 does ("truncated file: eof = …, stored_eof = …"): the superblock records the
    /// end-of-file address the writer reached, and a file shorter than that lost data at its end (an interrupted copy or
    /// download). PureHDF does not check it, and would only fail, or not, when a read reaches the missing part.
    /// </summary>
    private static void RequireComplete(string path)
    {
        using var stream = File.OpenRead(path);
        long length = stream.Length;
        var head = new byte[64];
        for (long at = 0; at + 48 <= length; at = at == 0 ? 512 : at * 2)
        {
            stream.Position = at;
            int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (n < 48 || !head.AsSpan(0, 8).SequenceEqual(Signature)) continue;
            int version = head[8];
            int offsets = version <= 1 ? head[13] : head[9];
            int eofAt = version switch { 0 => 24 + 2 * offsets, 1 => 28 + 2 * offsets, _ => 12 + 2 * offsets };
            int baseAt = version switch { 0 => 24, 1 => 28, _ => 12 };
            if (offsets is not (4 or 8) || eofAt + offsets > n) return;   // unknown layout: leave it to the reader
            ulong Read(int o) => offsets == 8 ? BitConverter.ToUInt64(head, o) : BitConverter.ToUInt32(head, o);
            ulong baseAddress = Read(baseAt), eof = Read(eofAt);
            if (eof == ulong.MaxValue || (offsets == 4 && eof == uint.MaxValue)) return;
            if ((decimal)baseAddress + eof > length)
                throw new DatasetFileException(DataProblem.Truncated, path, $"the file has {length:N0} bytes but its superblock says it ends at byte {baseAddress + eof:N0}",
                    "the complete file (copy or download it again)");
            return;
        }
    }

    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>True if a dataset or group exists at <paramref name="name"/> (a path such as <c>"1/mean"</c>).</summary>
    public bool Contains(string name)
    {
        lock (_gate)
        {
            if (!name.Contains('/')) return Root.ContainsKey(name);
            IH5Group group = _file;
            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < parts.Length; i++)
            {
                if (!group.LinkExists(parts[i])) return false;
                if (i < parts.Length - 1)
                {
                    if (group.Get(parts[i]) is not IH5Group next) return false;
                    group = next;
                }
            }
            return true;
        }
    }

    /// <summary>Names of the objects at the root.</summary>
    public IReadOnlyList<string> RootNames()
    {
        lock (_gate) return Root.Keys.ToArray();
    }

    /// <summary>The root's objects by name, enumerated once: MMIN's feature files hold ~5.5k root datasets, and looking
    /// each up by name costs a scan of the root group (measured: 134 s to open IEMOCAP by name lookups).</summary>
    private Dictionary<string, IH5Object> Root => _root ??= _file.Children().ToDictionary(c => c.Name, c => c, StringComparer.Ordinal);

    /// <summary>Dimensions of dataset <paramref name="name"/>.</summary>
    public long[] Dimensions(string name)
    {
        lock (_gate) return Dataset(name).Space.Dimensions.Select(d => (long)d).ToArray();
    }

    /// <summary>True when dataset <paramref name="name"/> is stored in chunks (then hyperslab reads touch only the chunks
    /// they need; PureHDF reads whole chunked datasets of many chunks very slowly, contiguous ones quickly).</summary>
    public bool IsChunked(string name)
    {
        lock (_gate) return Dataset(name).Layout.Class == H5DataLayoutClass.Chunked;
    }

    /// <summary>Dataset <paramref name="name"/> as float32, C order (optionally only the hyperslab
    /// <c>[starts, starts + counts)</c>).</summary>
    public float[] ReadFloat32(string name, long[]? starts = null, long[]? counts = null)
    {
        lock (_gate)
        {
            var ds = Dataset(name);
            var (selection, length) = Select(ds, name, starts, counts);
            try
            {
                return (ds.Type.Class, (int)ds.Type.Size) switch
                {
                    (H5DataTypeClass.FloatingPoint, 4) => ds.Read<float[]>(selection, null, [length]),
                    (H5DataTypeClass.FloatingPoint, 8) => Array.ConvertAll(ds.Read<double[]>(selection, null, [length]), v => (float)v),
                    (H5DataTypeClass.FloatingPoint, 2) => Array.ConvertAll(ds.Read<Half[]>(selection, null, [length]), v => (float)v),
                    (H5DataTypeClass.FixedPoint, _) => Array.ConvertAll(ReadIntegers(ds, name, selection, length), v => (float)v),
                    _ => throw WrongType(ds, name, "a float (16, 32 or 64 bits) or integer dataset"),
                };
            }
            catch (DatasetFileException) { throw; }
            catch (Exception e) when (e is not OutOfMemoryException) { throw Damaged(name, e); }
        }
    }

    /// <summary>Dataset <paramref name="name"/> as int64 (integer datasets; float datasets holding whole numbers are accepted).</summary>
    public long[] ReadInt64(string name, long[]? starts = null, long[]? counts = null)
    {
        lock (_gate)
        {
            var ds = Dataset(name);
            var (selection, length) = Select(ds, name, starts, counts);
            try
            {
                if (ds.Type.Class == H5DataTypeClass.FixedPoint) return ReadIntegers(ds, name, selection, length);
                if (ds.Type.Class != H5DataTypeClass.FloatingPoint) throw WrongType(ds, name, "an integer dataset");
                var values = ds.Type.Size == 8 ? ds.Read<double[]>(selection, null, [length]) : Array.ConvertAll(ds.Read<float[]>(selection, null, [length]), v => (double)v);
                return Array.ConvertAll(values, v => v == Math.Round(v) ? (long)v : throw new DatasetFileException(DataProblem.WrongDtype, Path, $"dataset '{name}' holds the non-integer value {v}", "integer labels"));
            }
            catch (DatasetFileException) { throw; }
            catch (Exception e) when (e is not OutOfMemoryException) { throw Damaged(name, e); }
        }
    }

    private IH5Dataset Dataset(string name)
    {
        if (!Contains(name)) throw new DatasetFileException(DataProblem.WrongKey, Path, $"no dataset '{name}'", $"a dataset named '{name}'");
        if (!name.Contains('/') && Root[name] is IH5Dataset cached) return cached;
        try { return _file.Dataset(name); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DatasetFileException(DataProblem.WrongKey, Path, $"'{name}' is not a dataset ({e.Message})", $"a dataset named '{name}'", inner: e);
        }
    }

    private (Selection? Selection, ulong Length) Select(IH5Dataset ds, string name, long[]? starts, long[]? counts)
    {
        var dims = ds.Space.Dimensions;
        if (starts is null || counts is null) return (null, dims.Aggregate(1UL, (a, b) => a * b));
        if (starts.Length != dims.Length || counts.Length != dims.Length)
            throw new DatasetFileException(DataProblem.WrongShape, Path, $"dataset '{name}' has rank {dims.Length}", $"rank {starts.Length}");
        for (int i = 0; i < dims.Length; i++)
            if (starts[i] < 0 || counts[i] < 0 || (ulong)(starts[i] + counts[i]) > dims[i])
                throw new DatasetFileException(DataProblem.WrongShape, Path, $"dataset '{name}' has shape ({string.Join(", ", dims)}); the read needs [{starts[i]}, {starts[i] + counts[i]}) on axis {i}", "a large enough dataset");
        var selection = new HyperslabSelection(dims.Length, starts.Select(s => (ulong)s).ToArray(), Enumerable.Repeat(1UL, dims.Length).ToArray(),
            counts.Select(c => (ulong)c).ToArray(), Enumerable.Repeat(1UL, dims.Length).ToArray());
        return (selection, counts.Aggregate(1UL, (a, b) => a * (ulong)b));
    }

    private long[] ReadIntegers(IH5Dataset ds, string name, Selection? selection, ulong length)
    {
        bool signed = ds.Type.FixedPoint.IsSigned;
        return ((int)ds.Type.Size, signed) switch
        {
            (1, false) => Array.ConvertAll(ds.Read<byte[]>(selection, null, [length]), v => (long)v),
            (1, true) => Array.ConvertAll(ds.Read<sbyte[]>(selection, null, [length]), v => (long)v),
            (2, false) => Array.ConvertAll(ds.Read<ushort[]>(selection, null, [length]), v => (long)v),
            (2, true) => Array.ConvertAll(ds.Read<short[]>(selection, null, [length]), v => (long)v),
            (4, false) => Array.ConvertAll(ds.Read<uint[]>(selection, null, [length]), v => (long)v),
            (4, true) => Array.ConvertAll(ds.Read<int[]>(selection, null, [length]), v => (long)v),
            (8, _) => ds.Read<long[]>(selection, null, [length]),
            _ => throw WrongType(ds, name, "1-, 2-, 4- or 8-byte integers"),
        };
    }

    private DatasetFileException WrongType(IH5Dataset ds, string name, string expected) =>
        new(DataProblem.WrongDtype, Path, $"dataset '{name}' has type {ds.Type.Class} ({ds.Type.Size} bytes)", expected);

    private DatasetFileException Damaged(string name, Exception e) =>
        new(DataProblem.Corrupt, Path, $"dataset '{name}' cannot be read ({e.GetType().Name}: {e.Message})", "an intact HDF5 dataset", inner: e);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}
