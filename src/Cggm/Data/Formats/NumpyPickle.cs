using System.Collections;
using System.Text;
using Razorvine.Pickle;

namespace Cggm.Data.Formats;

/// <summary>
/// Reads Python pickles that hold numpy arrays (MulT's <c>mosi_data.pkl</c>, MMSA's <c>aligned_50.pkl</c>) with
/// Razorvine.Pickle and small stand-ins for numpy's reconstructors. Nothing in the file is executed: only
/// <c>numpy.core.multiarray._reconstruct</c> (protocols 2–4; the array state is set by BUILD),
/// <c>numpy.core.numeric._frombuffer</c> (protocol 5), <c>numpy.dtype</c> and <c>numpy.core.multiarray.scalar</c>
/// are understood, under both the numpy 1.x (<c>numpy.core</c>) and numpy ≥ 2.0 (<c>numpy._core</c>) module names.
/// Dicts become <see cref="Hashtable"/>, lists <see cref="ArrayList"/>, tuples <c>object[]</c>, arrays <see cref="NumpyArray"/>.
/// </summary>
public static class NumpyPickle
{
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>Loads the pickle at <paramref name="path"/> and converts every numpy array in it to <see cref="NumpyArray"/>.</summary>
    public static object? Load(string path)
    {
        if (!File.Exists(path)) throw new DatasetFileException(DataProblem.Missing, path, "no such file", "a Python pickle");
        Register();
        object? root;
        try
        {
            using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
            using var unpickler = new Unpickler();
            root = unpickler.load(stream);
        }
        catch (DatasetFileException) { throw; }
        catch (Exception e) when (e is EndOfStreamException or IOException && e is not FileNotFoundException)
        {
            throw new DatasetFileException(DataProblem.Truncated, path, $"the pickle ends early ({e.Message})", "a complete pickle (protocol 2–5)", inner: e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DatasetFileException(DataProblem.Corrupt, path, $"{e.GetType().Name}: {e.Message}", "a Python pickle (protocol 2–5) of dicts and numpy arrays", inner: e);
        }
        return Convert(root, path, "");
    }

    /// <summary>The value at <paramref name="key"/> of a pickled dict, or a <see cref="DataProblem.WrongKey"/> error naming
    /// the keys that exist.</summary>
    public static object? Get(object? dict, string key, string path, string where)
    {
        if (dict is not Hashtable table) throw new DatasetFileException(DataProblem.WrongKey, path, $"{Where(where)} is {Describe(dict)}, not a dict", $"a dict with key '{key}'");
        if (!table.ContainsKey(key))
            throw new DatasetFileException(DataProblem.WrongKey, path, $"{Where(where)} has no key '{key}' (keys: {string.Join(", ", table.Keys.Cast<object>().Select(k => $"'{k}'").Order())})", $"key '{key}'");
        return table[key];
    }

    /// <summary>The array at <paramref name="key"/> of a pickled dict.</summary>
    public static NumpyArray GetArray(object? dict, string key, string path, string where)
    {
        var value = Get(dict, key, path, where);
        return value as NumpyArray ?? throw new DatasetFileException(DataProblem.WrongDtype, path, $"{Where(where)}['{key}'] is {Describe(value)}", "a numpy array");
    }

    private static string Where(string where) => where.Length == 0 ? "the top-level object" : where;

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Hashtable => "a dict",
        ArrayList => "a list",
        object[] => "a tuple",
        string => "a str",
        byte[] => "bytes",
        _ => value.GetType().Name,
    };

    private static object? Convert(object? value, string path, string key) => value switch
    {
        NpArrayState a => a.ToArray(path + key),
        NpScalar s => s.ToArray(path + key),
        Hashtable t => ConvertTable(t, path, key),
        ArrayList l => new ArrayList(l.Cast<object?>().Select((v, i) => Convert(v, path, $"{key}[{i}]")).ToArray()),
        _ => value,
    };

    private static Hashtable ConvertTable(Hashtable table, string path, string key)
    {
        var result = new Hashtable();
        foreach (DictionaryEntry e in table) result[e.Key] = Convert(e.Value, path, $"{key}['{e.Key}']");
        return result;
    }

    private static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            foreach (var core in new[] { "numpy.core", "numpy._core" })
            {
                Unpickler.registerConstructor(core + ".multiarray", "_reconstruct", new ReconstructConstructor());
                Unpickler.registerConstructor(core + ".numeric", "_frombuffer", new FromBufferConstructor());
                Unpickler.registerConstructor(core + ".multiarray", "scalar", new ScalarConstructor());
            }
            Unpickler.registerConstructor("numpy", "dtype", new DTypeConstructor());
            _registered = true;
        }
    }

    /// <summary><c>numpy.dtype(code, align, copy)</c>; its BUILD state (version, byteorder, …, elsize, …) sets the order.</summary>
    internal sealed class NpDTypeState(string code)
    {
        public string Code { get; } = code;
        public char Order { get; private set; } = '|';
        public int ElementSize { get; private set; } = -1;

        public void __setstate__(object[] state)
        {
            if (state.Length > 1 && state[1] is string { Length: 1 } o) Order = o[0];
            if (state.Length > 5 && state[5] is int size) ElementSize = size;
        }

        public NumpyDType ToDType(string source)
        {
            try
            {
                var parsed = NumpyDType.Parse(Code);
                var size = ElementSize > 0 && parsed.Kind is 'S' or 'U' ? ElementSize : parsed.ItemSize;
                var order = parsed.ItemSize == 1 || parsed.Kind is 'S' or 'O' ? '|' : Order == '|' ? '<' : Order;
                return new NumpyDType(order, parsed.Kind, size);
            }
            catch (FormatException e) { throw new DatasetFileException(DataProblem.WrongDtype, source, e.Message, "a numeric, bytes or object dtype"); }
        }
    }

    /// <summary>The array that <c>_reconstruct</c> makes empty and BUILD fills: (version, shape, dtype, is_fortran, payload).</summary>
    internal sealed class NpArrayState
    {
        public long[] Shape { get; set; } = [];
        public NpDTypeState? DType { get; set; }
        public bool Fortran { get; set; }
        public object? Payload { get; set; }

        public void __setstate__(object[] state)
        {
            int o = state.Length == 5 ? 1 : 0;
            if (state.Length < 4 + o || state[o] is not object[] shape || state[o + 1] is not NpDTypeState dtype || state[o + 2] is not bool fortran)
                throw new PickleException("unexpected numpy.ndarray state");
            Shape = shape.Select(System.Convert.ToInt64).ToArray();
            DType = dtype;
            Fortran = fortran;
            Payload = state[o + 3];
        }

        public NumpyArray ToArray(string source)
        {
            if (DType is null) throw new DatasetFileException(DataProblem.Corrupt, source, "a numpy array without state", "a pickled numpy array");
            var dtype = DType.ToDType(source);
            return Payload switch
            {
                byte[] raw when dtype.Kind != 'O' => new NumpyArray(dtype, Shape, raw, Fortran, source),
                string latin1 when dtype.Kind != 'O' => new NumpyArray(dtype, Shape, Encoding.Latin1.GetBytes(latin1), Fortran, source),
                IList items when dtype.Kind == 'O' => new NumpyArray(Shape, items.Cast<object?>().ToArray(), Fortran, source),
                _ => throw new DatasetFileException(DataProblem.Corrupt, source, $"array payload of type {Payload?.GetType().Name ?? "None"} for dtype '{dtype}'", "raw bytes (numeric/bytes arrays) or a list (object arrays)"),
            };
        }
    }

    /// <summary>A numpy scalar: <c>scalar(dtype, bytes)</c>.</summary>
    internal sealed class NpScalar(NpDTypeState dtype, object? payload)
    {
        public NumpyArray ToArray(string source) => payload switch
        {
            byte[] raw => new NumpyArray(dtype.ToDType(source), [], raw, false, source),
            string latin1 => new NumpyArray(dtype.ToDType(source), [], Encoding.Latin1.GetBytes(latin1), false, source),
            _ => throw new DatasetFileException(DataProblem.Corrupt, source, "a numpy scalar without raw bytes", "a pickled numpy scalar"),
        };
    }

    private sealed class ReconstructConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new NpArrayState();
    }

    private sealed class DTypeConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length > 0 && args[0] is string code ? new NpDTypeState(code) : throw new PickleException("numpy.dtype needs a type code");
    }

    private sealed class FromBufferConstructor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length != 4 || args[1] is not NpDTypeState dtype || args[2] is not object[] shape || args[3] is not string order)
                throw new PickleException("numpy _frombuffer(buffer, dtype, shape, order) expected");
            return new NpArrayState { Payload = args[0], DType = dtype, Shape = shape.Select(System.Convert.ToInt64).ToArray(), Fortran = order == "F" };
        }
    }

    private sealed class ScalarConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length == 2 && args[0] is NpDTypeState dtype ? new NpScalar(dtype, args[1]) : throw new PickleException("numpy scalar(dtype, bytes) expected");
    }
}
