using Cggm.Experiments;
using Microsoft.Data.Analysis;
using Plotly.NET;

namespace Cggm.Notebooks.Reproductions;

/// <summary>A table of a reproduction: the DataFrame a notebook shows and, for aggregated results, the table behind it.</summary>
public sealed record NamedTable(string Name, DataFrame Frame, ResultTable? Results = null);

/// <summary>A chart of a reproduction.</summary>
public sealed record NamedChart(string Name, GenericChart Chart);

/// <summary>Everything a reproduction produces: what its notebook displays and what <c>cggm reproduce</c> writes.</summary>
public sealed record ReproductionResult(string Name, string Title, Profile Profile, IReadOnlyList<NamedTable> Tables, IReadOnlyList<NamedChart> Charts, IReadOnlyList<string> Notes)
{
    /// <summary>The table called <paramref name="name"/>.</summary>
    public DataFrame Table(string name) => Tables.FirstOrDefault(t => t.Name == name)?.Frame
        ?? throw new ArgumentException($"No table '{name}'; this result has: {string.Join(", ", Tables.Select(t => t.Name))}.", nameof(name));

    /// <summary>The chart called <paramref name="name"/>.</summary>
    public GenericChart Chart(string name) => Charts.FirstOrDefault(c => c.Name == name)?.Chart
        ?? throw new ArgumentException($"No chart '{name}'; this result has: {string.Join(", ", Charts.Select(c => c.Name))}.", nameof(name));
}

/// <summary>One experiment behind one notebook: the single call the notebook, <c>cggm reproduce</c> and the tests make.</summary>
public interface IReproduction
{
    /// <summary>Name used by <c>cggm reproduce NAME</c>.</summary>
    string Name { get; }

    /// <summary>The notebook file (without extension) in <c>notebooks/</c>.</summary>
    string Notebook { get; }

    /// <summary>What it reproduces.</summary>
    string Title { get; }

    /// <summary>Runs the experiment at <paramref name="profile"/>; runs are kept under <c>runs/&lt;name&gt;/&lt;profile&gt;/</c> and resumed.</summary>
    ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default);
}
