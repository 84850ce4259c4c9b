using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.RegularExpressions;

namespace Cggm.Data.Formats;

/// <summary>The header of a <c>.npy</c> file: type, order, shape and where the data starts.</summary>
/// <param name="DType">Element type.</param>
/// <param name="FortranOrder">Column-major payload.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="DataOffset">Byte offset of the first element.</param>
public sealed record NpyHeader(NumpyDType DType, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>Payload size in bytes.</summary>
    public long DataBytes => Shape.Aggregate(1L, (a, b) => a * b) * DType.ItemSize;
}

/// <summary>
/// NumPy's <c>.npy</c> format (numpy.lib.format, versions 1.0, 2.0 and 3.0): magic <c>\x93NUMPY</c>, version, header
/// length (u16 in 1.0, u32 in 2.0/3.0), a Python dict literal <c>{'descr', 'fortran_order', 'shape'}</c>, then the raw
/// elements. Object arrays (<c>|O</c>) are rejected: they embed a pickle, and <c>np.load</c> refuses them by default too.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the header from the start of <paramref name="stream"/>.</summary>
    public static NpyHeader ReadHeader(Stream stream, string path)
    {
        var head = new byte[10];
        if (stream.ReadAtLeast(head, 10, throwOnEndOfStream: false) < 10 || !head.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DatasetFileException(DataProblem.Corrupt, path, "no \\x93NUMPY magic", "a .npy file written by numpy.save");
        int major = head[6];
        long headerLength;
        int prefix;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8)); prefix = 10; }
        else if (major is 2 or 3)
        {
            var more = new byte[2];
            if (stream.ReadAtLeast(more, 2, throwOnEndOfStream: false) < 2) throw Truncated(path, "header");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian([head[8], head[9], more[0], more[1]]);
            prefix = 12;
        }
        else throw new DatasetFileException(DataProblem.Corrupt, path, $".npy format version {major}.{head[7]}", ".npy version 1.0, 2.0 or 3.0");
        if (headerLength > 1 << 20) throw new DatasetFileException(DataProblem.Corrupt, path, $"header length {headerLength}", "a header shorter than 1 MB");
        var text = new byte[headerLength];
        if (stream.ReadAtLeast(text, (int)headerLength, throwOnEndOfStream: false) < headerLength) throw Truncated(path, "header");
        var dict = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(text);
        var descr = DescrPattern().Match(dict);
        var fortran = FortranPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new DatasetFileException(DataProblem.Corrupt, path, $"header '{dict.Trim()}'", "a header dict with 'descr' (a plain type string), 'fortran_order' and 'shape'");
        if (descr.Groups[1].Value.Contains('O'))
            throw new DatasetFileException(DataProblem.WrongDtype, path, "an object array (dtype '|O'), which embeds a pickle",
                "a plain numeric or bytes ('|S') array; re-save with arr.astype('S') or a numeric dtype");
        NumpyDType dtype;
        try { dtype = NumpyDType.Parse(descr.Groups[1].Value); }
        catch (FormatException e) { throw new DatasetFileException(DataProblem.WrongDtype, path, e.Message, "a numeric or bytes dtype"); }
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), out var v) && v >= 0 ? v : throw new DatasetFileException(DataProblem.Corrupt, path, $"shape '{shape.Value}'", "non-negative integer dimensions"))
            .ToArray();
        return new NpyHeader(dtype, fortran.Groups[1].Value == "True", dims, prefix + headerLength);
    }

    /// <summary>Reads a whole <c>.npy</c> file into memory.</summary>
    public static NumpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such file", "a .npy file");
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        if (stream.Length - header.DataOffset < header.DataBytes)
            throw Truncated(path, $"data ({stream.Length - header.DataOffset} of {header.DataBytes} bytes)");
        if (header.DataBytes > Array.MaxLength) throw new DatasetFileException(DataProblem.WrongShape, path, $"{header.DataBytes} bytes", "an array under 2 GB (use NpyFile.OpenRows for larger ones)");
        var data = new byte[header.DataBytes];
        stream.ReadExactly(data);
        return new NumpyArray(header.DType, header.Shape, data, header.FortranOrder, path);
    }

    /// <summary>Memory-maps a C-ordered <c>.npy</c> file for row-wise reads of its first axis (feature caches of many GB).</summary>
    public static NpyRows OpenRows(string path)
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such file", "a .npy file");
        NpyHeader header;
        long length;
        using (var stream = File.OpenRead(path))
        {
            header = ReadHeader(stream, path);
            length = stream.Length;
        }
        if (header.Shape.Length < 1) throw new DatasetFileException(DataProblem.WrongShape, path, "a scalar", "an array of rank ≥ 1");
        if (header.FortranOrder && header.Shape.Length > 1) throw new DatasetFileException(DataProblem.WrongShape, path, "Fortran order", "a C-ordered array (np.ascontiguousarray before np.save)");
        if (!header.DType.IsNumeric || header.DType.Order == '>') throw new DatasetFileException(DataProblem.WrongDtype, path, $"dtype '{header.DType}'", "a little-endian numeric array ('<f2', '<f4', …)");
        if (length - header.DataOffset < header.DataBytes) throw Truncated(path, $"data ({length - header.DataOffset} of {header.DataBytes} bytes)");
        return new NpyRows(path, header);
    }

    /// <summary>Writes a version-1.0 <c>.npy</c> file (C order) as <c>numpy.save</c> does: header padded with spaces
    /// and a newline so the data starts at a multiple of 64 bytes.</summary>
    public static void Write(string path, string descr, long[] shape, ReadOnlySpan<byte> data)
    {
        var dtype = NumpyDType.Parse(descr);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * dtype.ItemSize != data.Length) throw new ArgumentException($"{path}: {data.Length} bytes do not match shape ({string.Join(", ", shape)}) of '{descr}'.");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(data);
    }

    /// <summary>Writes float32 values as <c>'&lt;f4'</c>.</summary>
    public static void Write(string path, float[] values, params long[] shape) =>
        Write(path, "<f4", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Writes float16 values as <c>'&lt;f2'</c>.</summary>
    public static void Write(string path, Half[] values, params long[] shape) =>
        Write(path, "<f2", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Writes int64 values as <c>'&lt;i8'</c>.</summary>
    public static void Write(string path, long[] values, params long[] shape) =>
        Write(path, "<i8", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Writes byte strings as <c>'|Sn'</c> (n = the longest UTF-8 length), padded with NULs like numpy.</summary>
    public static void WriteBytes(string path, string[] values, params long[] shape)
    {
        var encoded = values.Select(Encoding.UTF8.GetBytes).ToArray();
        int width = Math.Max(1, encoded.Select(e => e.Length).DefaultIfEmpty(1).Max());
        var data = new byte[encoded.Length * width];
        for (int i = 0; i < encoded.Length; i++) encoded[i].CopyTo(data, i * width);
        Write(path, $"|S{width}", shape, data);
    }

    private static DatasetFileException Truncated(string path, string part) =>
        new(DataProblem.Truncated, path, $"the file ends inside the {part}", "a complete .npy file");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

/// <summary>Row-wise reads of a memory-mapped <c>.npy</c> array: row i is <c>a[i]</c>, converted to float32.</summary>
public sealed class NpyRows : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly object _gate = new();

    internal NpyRows(string path, NpyHeader header)
    {
        Path = path;
        Header = header;
        RowShape = header.Shape[1..];
        RowLength = RowShape.Aggregate(1L, (a, b) => a * b);
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Its header.</summary>
    public NpyHeader Header { get; }

    /// <summary>Number of rows (first dimension).</summary>
    public long Rows => Header.Shape[0];

    /// <summary>Shape of one row.</summary>
    public long[] RowShape { get; }

    /// <summary>Elements per row.</summary>
    public long RowLength { get; }

    /// <summary>Copies row <paramref name="row"/> into <paramref name="destination"/> as float32.</summary>
    public void ReadRow(long row, Span<float> destination)
    {
        if (row < 0 || row >= Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"{Path} has {Rows} rows.");
        int size = Header.DType.ItemSize;
        var bytes = new byte[RowLength * size];
        lock (_gate) _view.ReadArray(Header.DataOffset + row * RowLength * size, bytes, 0, bytes.Length);
        var array = new NumpyArray(Header.DType, RowShape, bytes, false, Path);
        array.ToFloat32().CopyTo(destination);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
