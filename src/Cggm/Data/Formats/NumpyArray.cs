using System.Buffers.Binary;
using System.Text;

namespace Cggm.Data.Formats;

/// <summary>
/// A numpy array read from a file: its type, shape and elements in C (row-major) order, little-endian. Numeric and
/// bytes arrays keep their raw payload; object arrays (numpy dtype 'O') keep the Python objects the unpickler built.
/// </summary>
public sealed class NumpyArray
{
    /// <summary>Wraps a payload after checking that <c>product(shape) × itemsize</c> equals its length. Fortran-ordered
    /// or big-endian payloads are converted to C order, little-endian.</summary>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions (empty for a scalar).</param>
    /// <param name="data">The raw elements.</param>
    /// <param name="fortranOrder">True when <paramref name="data"/> is column-major.</param>
    /// <param name="source">The file (and key) it came from, for error messages.</param>
    public NumpyArray(NumpyDType dtype, long[] shape, byte[] data, bool fortranOrder, string source)
    {
        if (dtype.Kind == 'O') throw new DatasetFileException(DataProblem.WrongDtype, source, "an object array (dtype 'O') has no raw payload", "a numeric or bytes array");
        DType = dtype;
        Shape = shape;
        Source = source;
        long count = Count(shape, source);
        if (count * dtype.ItemSize != data.LongLength)
            throw new DatasetFileException(DataProblem.Corrupt, source,
                $"the payload has {data.LongLength} bytes but shape ({string.Join(", ", shape)}) × {dtype.ItemSize}-byte '{dtype}' needs {count * dtype.ItemSize}",
                "a payload of product(shape) × itemsize bytes");
        if (dtype.Order == '>' && dtype.ItemSize > 1 && dtype.Kind is not 'S') data = Swap(data, dtype.Kind == 'U' ? 4 : dtype.ItemSize);
        if (dtype.Order == '>') DType = dtype with { Order = '<' };
        Data = fortranOrder && shape.Length > 1 ? FortranToC(data, shape, dtype.ItemSize) : data;
    }

    /// <summary>Wraps an object array (numpy dtype 'O') as built by the unpickler.</summary>
    public NumpyArray(long[] shape, IReadOnlyList<object?> objects, bool fortranOrder, string source)
    {
        DType = new NumpyDType('|', 'O', 8);
        Shape = shape;
        Source = source;
        long count = Count(shape, source);
        if (objects.Count != count)
            throw new DatasetFileException(DataProblem.Corrupt, source, $"the object array holds {objects.Count} items but shape ({string.Join(", ", shape)}) needs {count}", "one item per element");
        Objects = fortranOrder && shape.Length > 1 ? FortranToC(objects, shape) : objects;
        Data = [];
    }

    /// <summary>Element type (byte order normalised to little-endian).</summary>
    public NumpyDType DType { get; }

    /// <summary>Dimensions; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Raw elements in C order, little-endian (empty for object arrays).</summary>
    public byte[] Data { get; }

    /// <summary>The elements of an object array, in C order; null otherwise.</summary>
    public IReadOnlyList<object?>? Objects { get; }

    /// <summary>The file (and key) this array came from.</summary>
    public string Source { get; }

    /// <summary>Number of elements.</summary>
    public long Length => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements as float32 (numpy's <c>astype(np.float32)</c>) from any numeric type.</summary>
    public float[] ToFloat32()
    {
        RequireNumeric("float32");
        var result = new float[Length];
        var span = Data.AsSpan();
        int s = DType.ItemSize;
        switch (DType.Kind, s)
        {
            case ('f', 4): Buffer.BlockCopy(Data, 0, result, 0, Data.Length); break;
            case ('f', 8): for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]); break;
            case ('f', 2): for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(span[(i * 2)..]); break;
            default: for (int i = 0; i < result.Length; i++) result[i] = (float)IntegerAt(span, i); break;
        }
        return result;
    }

    /// <summary>The elements as float64 from any numeric type.</summary>
    public double[] ToFloat64()
    {
        RequireNumeric("float64");
        var result = new double[Length];
        var span = Data.AsSpan();
        for (int i = 0; i < result.Length; i++)
            result[i] = (DType.Kind, DType.ItemSize) switch
            {
                ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]),
                ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]),
                ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(span[(i * 2)..]),
                _ => IntegerAt(span, i),
            };
        return result;
    }

    /// <summary>The elements as int64 from an integer or boolean array.</summary>
    public long[] ToInt64()
    {
        if (DType.Kind is not ('i' or 'u' or 'b'))
            throw new DatasetFileException(DataProblem.WrongDtype, Source, $"dtype '{DType}'", "an integer array");
        var result = new long[Length];
        for (int i = 0; i < result.Length; i++) result[i] = IntegerAt(Data, i);
        return result;
    }

    /// <summary>The elements as text: '|S' bytes (UTF-8, trailing NULs removed as numpy does), '&lt;U' text, or an object
    /// array of bytes or str.</summary>
    public string[] ToStrings()
    {
        if (Objects is not null)
            return Objects.Select(o => o switch
            {
                byte[] b => Encoding.UTF8.GetString(b),
                string t => t,
                _ => throw new DatasetFileException(DataProblem.WrongDtype, Source, $"an object array item is {o?.GetType().Name ?? "None"}", "bytes or str items"),
            }).ToArray();
        int s = DType.ItemSize;
        return DType.Kind switch
        {
            'S' => Enumerable.Range(0, (int)Length).Select(i => Encoding.UTF8.GetString(Data, i * s, s).TrimEnd('\0')).ToArray(),
            'U' => Enumerable.Range(0, (int)Length).Select(i => Encoding.UTF32.GetString(Data, i * s, s).TrimEnd('\0')).ToArray(),
            _ => throw new DatasetFileException(DataProblem.WrongDtype, Source, $"dtype '{DType}'", "a bytes ('|S') or text array"),
        };
    }

    /// <summary>Throws a <see cref="DataProblem.WrongShape"/> error (saying <paramref name="expected"/>) unless the shape matches
    /// <paramref name="dims"/> (−1 = any size on that axis).</summary>
    public NumpyArray RequireShape(string expected, params long[] dims)
    {
        bool ok = Shape.Length == dims.Length && dims.Select((d, i) => d < 0 || d == Shape[i]).All(x => x);
        if (!ok) throw new DatasetFileException(DataProblem.WrongShape, Source, $"shape ({string.Join(", ", Shape)})", expected);
        return this;
    }

    private void RequireNumeric(string target)
    {
        if (!DType.IsNumeric) throw new DatasetFileException(DataProblem.WrongDtype, Source, $"dtype '{DType}' cannot be converted to {target}", "a float, integer or bool array");
    }

    private long IntegerAt(ReadOnlySpan<byte> span, int i) => (DType.Kind, DType.ItemSize) switch
    {
        ('i', 1) => (sbyte)span[i],
        ('u', 1) or ('b', 1) => span[i],
        ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(span[(i * 2)..]),
        ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(span[(i * 2)..]),
        ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]),
        ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(span[(i * 4)..]),
        ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]),
        ('u', 8) => (long)BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 8)..]),
        _ => throw new DatasetFileException(DataProblem.WrongDtype, Source, $"dtype '{DType}'", "an integer, bool or float array"),
    };

    private static long Count(long[] shape, string source)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new DatasetFileException(DataProblem.Corrupt, source, $"negative dimension in shape ({string.Join(", ", shape)})", "non-negative dimensions");
            n = checked(n * d);
        }
        return n;
    }

    private static byte[] Swap(byte[] data, int size)
    {
        var result = (byte[])data.Clone();
        for (int i = 0; i < result.Length; i += size) Array.Reverse(result, i, size);
        return result;
    }

    /// <summary>Row-major index order of a column-major buffer.</summary>
    private static long[] FortranSourceIndex(long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var map = new long[n];
        var idx = new long[shape.Length];
        for (long c = 0; c < n; c++)
        {
            long f = 0, stride = 1;
            for (int d = 0; d < shape.Length; d++) { f += idx[d] * stride; stride *= shape[d]; }
            map[c] = f;
            for (int d = shape.Length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
        }
        return map;
    }

    private static byte[] FortranToC(byte[] data, long[] shape, int size)
    {
        var map = FortranSourceIndex(shape);
        var result = new byte[data.Length];
        for (long c = 0; c < map.LongLength; c++) Buffer.BlockCopy(data, (int)(map[c] * size), result, (int)(c * size), size);
        return result;
    }

    private static object?[] FortranToC(IReadOnlyList<object?> items, long[] shape) =>
        FortranSourceIndex(shape).Select(f => items[(int)f]).ToArray();
}
