using System.Text;

namespace Cggm.Experiments.Sweeps;

/// <summary>
/// One independent run of a sweep: a method, the values of the axes that method reads, and one seed. Its
/// <see cref="Id"/> names its own run folder, so cells never share files and a cell keeps its folder when the grid grows.
/// </summary>
/// <param name="Index">Position in the sweep (the job-array index).</param>
/// <param name="Method">The balancing method.</param>
/// <param name="Values">(axis key, value) for every axis with more than one value that this method reads, in axis order.</param>
/// <param name="Seed">The seed.</param>
public sealed record SweepCell(int Index, string Method, IReadOnlyList<KeyValuePair<string, string>> Values, int Seed)
{
    /// <summary>The folder name: <c>method[_key-value…]_seed-n</c>, with characters other than letters, digits, '.', '-' replaced by '_'.</summary>
    public string Id => string.Join("_", new[] { Method }.Concat(Values.Select(v => $"{v.Key}-{v.Value}")).Select(Safe).Append($"seed-{Seed}"));

    /// <summary>A short description, e.g. <c>cggm rho=1.3 lambda=0.2 seed 1</c>.</summary>
    public string Description => string.Join(" ", new[] { Method }.Concat(Values.Select(v => $"{v.Key}={v.Value}")).Append($"seed {Seed}"));

    private static string Safe(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        return sb.ToString();
    }
}
