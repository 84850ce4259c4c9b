namespace Cggm.Data.Formats;

/// <summary>
/// A numpy array-protocol type string (<c>'&lt;f4'</c>, <c>'|S19'</c>, <c>'&gt;i8'</c>, …): byte order, kind and item size.
/// Kinds: f float, i signed int, u unsigned int, b bool, S bytes, U UTF-32 text, O Python objects.
/// </summary>
/// <param name="Order">'&lt;' little-endian, '&gt;' big-endian, '|' not applicable.</param>
/// <param name="Kind">The numpy kind character.</param>
/// <param name="ItemSize">Bytes per element (8 for object references).</param>
public sealed record NumpyDType(char Order, char Kind, int ItemSize)
{
    /// <summary>Parses <c>'&lt;f4'</c>-style strings (a missing order character means native little-endian).</summary>
    public static NumpyDType Parse(string descr)
    {
        if (string.IsNullOrEmpty(descr)) throw new FormatException("Empty numpy dtype string.");
        int at = 0;
        char order = '=';
        if (descr[0] is '<' or '>' or '|' or '=') { order = descr[0]; at = 1; }
        if (descr.Length <= at) throw new FormatException($"Numpy dtype '{descr}' has no kind.");
        char kind = descr[at];
        var digits = descr[(at + 1)..];
        int size = digits.Length == 0 ? kind switch { 'b' => 1, 'O' => 8, 'S' or 'U' => 0, _ => throw new FormatException($"Numpy dtype '{descr}' has no item size.") }
            : int.TryParse(digits, out var n) ? n : throw new FormatException($"Numpy dtype '{descr}' is not a plain array-protocol type.");
        if (kind == 'U') size *= 4;
        if (order == '=') order = size == 1 || kind is 'S' or 'O' ? '|' : '<';
        if (kind is not ('f' or 'i' or 'u' or 'b' or 'S' or 'U' or 'O')) throw new FormatException($"Numpy dtype '{descr}' (kind '{kind}') is not supported.");
        return new NumpyDType(order, kind, size);
    }

    /// <summary>True for numeric and boolean kinds.</summary>
    public bool IsNumeric => Kind is 'f' or 'i' or 'u' or 'b';

    /// <summary>The array-protocol string, e.g. <c>&lt;f4</c>.</summary>
    public override string ToString() => Kind == 'U' ? $"{Order}U{ItemSize / 4}" : $"{Order}{Kind}{ItemSize}";
}
