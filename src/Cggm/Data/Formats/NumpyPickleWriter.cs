using System.Buffers.Binary;
using System.Text;

namespace Cggm.Data.Formats;

/// <summary>A numpy array to pickle: dtype string (<c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>|S8</c>), C-order shape and raw
/// little-endian elements.</summary>
/// <param name="Descr">numpy array-protocol type string.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Raw elements, C order.</param>
public sealed record PickledArray(string Descr, long[] Shape, byte[] Data)
{
    /// <summary>A float32 array.</summary>
    public static PickledArray Float32(float[] values, params long[] shape) =>
        new("<f4", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>A float64 array.</summary>
    public static PickledArray Float64(double[] values, params long[] shape) =>
        new("<f8", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>A '|Sn' bytes array (UTF-8, NUL-padded to the longest item).</summary>
    public static PickledArray Bytes(string[] values, params long[] shape)
    {
        var encoded = values.Select(Encoding.UTF8.GetBytes).ToArray();
        int width = Math.Max(1, encoded.Select(e => e.Length).DefaultIfEmpty(1).Max());
        var data = new byte[encoded.Length * width];
        for (int i = 0; i < encoded.Length; i++) encoded[i].CopyTo(data, i * width);
        return new($"|S{width}", shape, data);
    }
}

/// <summary>
/// Writes nested dicts of numpy arrays as a protocol-3 pickle with exactly numpy 1.x's own reduce of
/// <c>ndarray</c>: <c>numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')</c> then BUILD with
/// <c>(1, shape, numpy.dtype(code, False, True) + state, False, raw bytes)</c>. <c>pickle.load</c> in Python
/// returns real numpy arrays, and <see cref="NumpyPickle"/> reads it back. Used to write sample data in MulT's format.
/// </summary>
public static class NumpyPickleWriter
{
    /// <summary>Writes <paramref name="root"/>: values are nested <c>IReadOnlyDictionary&lt;string, object&gt;</c> or <see cref="PickledArray"/>.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, object> root)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new BufferedStream(File.Create(path), 1 << 20);
        stream.Write([0x80, 3]);                 // PROTO 3
        WriteValue(stream, root);
        stream.WriteByte((byte)'.');             // STOP
    }

    private static void WriteValue(Stream s, object value)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object> dict:
                s.WriteByte((byte)'}');          // EMPTY_DICT
                if (dict.Count == 0) return;
                s.WriteByte((byte)'(');          // MARK
                foreach (var (k, v) in dict) { Unicode(s, k); WriteValue(s, v); }
                s.WriteByte((byte)'u');          // SETITEMS
                return;
            case PickledArray a:
                Array(s, a);
                return;
            default:
                throw new ArgumentException($"Cannot pickle a {value.GetType().Name}; use dictionaries and PickledArray.");
        }
    }

    private static void Array(Stream s, PickledArray a)
    {
        var dtype = NumpyDType.Parse(a.Descr);
        long count = a.Shape.Aggregate(1L, (x, y) => x * y);
        if (count * dtype.ItemSize != a.Data.LongLength) throw new ArgumentException($"Array '{a.Descr}' of shape ({string.Join(", ", a.Shape)}) needs {count * dtype.ItemSize} bytes, got {a.Data.LongLength}.");
        Global(s, "numpy.core.multiarray", "_reconstruct");
        Global(s, "numpy", "ndarray");
        Int(s, 0); s.WriteByte(0x85);              // (0,)
        s.WriteByte((byte)'C'); s.WriteByte(1); s.WriteByte((byte)'b');   // SHORT_BINBYTES b'b'
        s.WriteByte(0x87); s.WriteByte((byte)'R'); // TUPLE3 REDUCE
        s.WriteByte((byte)'(');                    // MARK: state tuple
        Int(s, 1);
        s.WriteByte((byte)'(');
        foreach (var d in a.Shape) Int(s, checked((int)d));
        s.WriteByte((byte)'t');
        Global(s, "numpy", "dtype");
        var code = dtype.Kind == 'U' ? $"U{dtype.ItemSize / 4}" : $"{dtype.Kind}{dtype.ItemSize}";
        Unicode(s, code); s.WriteByte(0x89); s.WriteByte(0x88); s.WriteByte(0x87); s.WriteByte((byte)'R');   // (code, False, True) REDUCE
        s.WriteByte((byte)'(');
        Int(s, 3); Unicode(s, dtype.Order.ToString());
        s.WriteByte((byte)'N'); s.WriteByte((byte)'N'); s.WriteByte((byte)'N');
        bool flexible = dtype.Kind is 'S' or 'U';
        Int(s, flexible ? dtype.ItemSize : -1); Int(s, flexible ? (dtype.Kind == 'U' ? 4 : 1) : -1); Int(s, dtype.Kind == 'U' ? 8 : 0);
        s.WriteByte((byte)'t'); s.WriteByte((byte)'b');   // dtype BUILD
        s.WriteByte(0x89);                                 // is_fortran = False
        s.WriteByte((byte)'B');                            // BINBYTES
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, checked((int)a.Data.LongLength));
        s.Write(len);
        s.Write(a.Data);
        s.WriteByte((byte)'t'); s.WriteByte((byte)'b');   // state TUPLE, BUILD
    }

    private static void Global(Stream s, string module, string name) =>
        s.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

    private static void Unicode(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        s.WriteByte((byte)'X');
        s.Write(len);
        s.Write(bytes);
    }

    private static void Int(Stream s, int value)
    {
        if (value is >= 0 and < 256) { s.WriteByte((byte)'K'); s.WriteByte((byte)value); return; }
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        s.WriteByte((byte)'J');
        s.Write(b);
    }
}
