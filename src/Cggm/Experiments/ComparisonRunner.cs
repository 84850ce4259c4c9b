using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>The runs of a method comparison and the methods that are not defined for its task.</summary>
/// <param name="Runs">Every finished run, in method order (unimodal training once per modality, named <c>unimodal-i</c>).</param>
/// <param name="Undefined">Methods skipped, with the reason (e.g. a method built on class scores on a regression task).</param>
public sealed record ComparisonRuns(IReadOnlyList<ExperimentRun> Runs, IReadOnlyDictionary<string, string> Undefined);

/// <summary>
/// Trains the rows of a comparison table through the same trainer: every method × seed of one experiment, with "unimodal"
/// expanded to one run per modality (the paper's "… only" rows). A method that is not defined for the task stops before
/// training with a <see cref="NotSupportedException"/>; it is recorded in <see cref="ComparisonRuns.Undefined"/> and gets no row.
/// </summary>
public static class ComparisonRunner
{
    /// <summary>
    /// Runs <paramref name="methods"/> × <paramref name="seeds"/> on <paramref name="setup"/>; runs are written under
    /// <paramref name="runRoot"/> (null keeps them in memory) and, with <paramref name="resume"/>, reused from there.
    /// </summary>
    public static ComparisonRuns Run(ExperimentSetup setup, IReadOnlyList<string> methods, IReadOnlyList<int> seeds, string? runRoot = null,
                                     bool resume = true, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (methods.Count == 0) throw new ArgumentException("Name at least one method.", nameof(methods));
        foreach (var m in methods) MethodRegistry.Get(m);   // fail on a bad name before any training
        int modalities = setup.Data.Modalities.Count;
        var jobs = methods.SelectMany(m => m == MethodNames.Unimodal
            ? Enumerable.Range(0, modalities).Select(i => (Name: m, Setup: setup with { Methods = setup.Methods with { Modality = i } }))
            : [(Name: m, Setup: setup)]).ToArray();
        var runs = new List<ExperimentRun>();
        var undefined = new Dictionary<string, string>();
        int done = 0, total = jobs.Length * seeds.Count;
        foreach (var (name, jobSetup) in jobs)
        {
            try
            {
                runs.AddRange(ExperimentRunner.Run(jobSetup, [name], seeds, runRoot, resume, Shift(progress, done, total), cancellation));
            }
            catch (NotSupportedException e)
            {
                undefined[name] = e.Message;
            }
            done += seeds.Count;
        }
        return new ComparisonRuns(runs, undefined);
    }

    /// <summary>
    /// <paramref name="progress"/> for a part of a larger recipe: the part's run indices are shifted by <paramref name="offset"/>
    /// and its run count replaced by <paramref name="total"/>, so one progress bar covers the whole recipe.
    /// </summary>
    public static IProgress<RecipeProgress>? Shift(IProgress<RecipeProgress>? progress, int offset, int total) =>
        progress is null ? null : new Relay<RecipeProgress>(p => progress.Report(p with { RunIndex = offset + p.RunIndex, RunCount = total }));
}
