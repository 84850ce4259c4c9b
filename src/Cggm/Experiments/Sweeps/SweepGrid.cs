using Cggm.Modulation;
using Cggm.Training;
using Cggm.IO;

namespace Cggm.Experiments.Sweeps;

/// <summary>
/// Expands methods × hyperparameter axes × seeds into independent <see cref="SweepCell"/>s. An axis with one value is a
/// fixed setting, not an axis. A method gets cells only along the axes it reads — the axis changes the method's
/// <see cref="BalancingMethod.Options"/> (what its run's <c>config.json</c> records) — so joint training in a sweep over
/// CGGM's ρ runs once per seed, not once per ρ. <c>epochs</c> applies to every method.
/// </summary>
public static class SweepGrid
{
    /// <summary>
    /// The cells, ordered by method, then by the axes (the first axis varies slowest), then by seed. Fails on an unknown
    /// method, a repeated axis key, or a value a method rejects.
    /// </summary>
    public static IReadOnlyList<SweepCell> Expand(IReadOnlyList<string> methods, IReadOnlyList<SweepAxis> axes, IReadOnlyList<int> seeds)
    {
        if (methods.Count == 0) throw new ArgumentException("Name at least one method.", nameof(methods));
        if (seeds.Count == 0) throw new ArgumentException("Name at least one seed.", nameof(seeds));
        var repeated = axes.GroupBy(a => a.Key, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"--grid names '{repeated.Key}' twice; give all its values in one --grid {repeated.Key}=v1,v2,….");
        var names = methods.Select(m => MethodRegistry.Get(m).Name).ToArray();
        if (names.Distinct().Count() != names.Length) throw new ArgumentException($"--methods names a method twice ({string.Join(",", methods)}).");

        var cells = new List<SweepCell>();
        foreach (var method in names)
        {
            var read = axes.Where(a => a.Values.Count > 1 && (a.AppliesToEveryMethod || Reads(method, a))).ToArray();
            foreach (var values in Product(read))
                foreach (var seed in seeds)
                    cells.Add(new SweepCell(cells.Count, method, values, seed));
        }
        var clash = cells.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new ArgumentException($"Two cells would share the run folder '{clash.Key}' ({string.Join("; ", clash.Select(c => c.Description))}); write the values so they differ in letters, digits, '.' or '-'.");
        return cells;
    }

    /// <summary>True when <paramref name="axis"/>'s values give <paramref name="method"/> different options.</summary>
    public static bool Reads(string method, SweepAxis axis)
    {
        var options = axis.Values.Select(v =>
        {
            try
            {
                using var instance = MethodRegistry.Create(method, axis.Apply(new MethodSettings(), v));
                return Json.Serialize(instance.Options);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--grid {axis.Key}={v} is not valid for {method}: {e.Message}", e);
            }
        });
        return options.Distinct().Count() > 1;
    }

    private static IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> Product(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> acc = [[]];
        foreach (var axis in axes)
            acc = acc.SelectMany(prefix => axis.Values.Select(v => (IReadOnlyList<KeyValuePair<string, string>>)[.. prefix, new(axis.Key, v)])).ToArray();
        return acc;
    }
}
