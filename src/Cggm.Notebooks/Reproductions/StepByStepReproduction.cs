using Cggm.Experiments;
using Cggm.Notebooks.Charts;
using Cggm.Notebooks.Tables;
using Cggm.Training;
using Microsoft.Data.Analysis;

namespace Cggm.Notebooks.Reproductions;

/// <summary>01-cggm-step-by-step: the first steps of the Paper and Reference variants on the same batches.</summary>
public sealed class StepByStepReproduction : IReproduction
{
    /// <inheritdoc />
    public string Name => "cggm-step-by-step";

    /// <inheritdoc />
    public string Notebook => "01-cggm-step-by-step";

    /// <inheritdoc />
    public string Title => "CGGM step by step: ε, Δε, B, gradient norms and L_gm, Paper vs Reference";

    /// <inheritdoc />
    public ReproductionResult Run(Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default) =>
        Build(CggmWalkthrough.Run(steps: profile == Profile.Smoke ? 3 : 6), profile);

    /// <summary>Tables and charts of a walkthrough.</summary>
    public static ReproductionResult Build(WalkthroughResult w, Profile profile)
    {
        var rows = new List<(string Variant, StepRecord Step)>();
        rows.AddRange(w.Paper.Steps.Select(s => ("Paper", s)));
        rows.AddRange(w.Reference.Steps.Select(s => ("Reference", s)));
        var all = DataFrames.Steps(rows, w.Modalities);
        var last = w.Paper.Steps.Count - 1;
        var tables = new List<NamedTable> { new("steps", all) };
        for (int t = 0; t < w.Paper.Steps.Count; t++)
        {
            tables.Add(new NamedTable($"paper-step-{t + 1}", DataFrames.Step(w.Paper.Steps[t], w.Modalities)));
            tables.Add(new NamedTable($"reference-step-{t + 1}", DataFrames.Step(w.Reference.Steps[t], w.Modalities)));
        }
        var charts = new List<NamedChart>
        {
            new("gradient-norms", ComparisonCharts.GradientNormsBeforeAfter(w.Modalities,
                [("Paper", w.Paper.Steps[last].GradNorm!, w.Paper.Steps[last].GradNormModulated!),
                 ("Reference", w.Reference.Steps[last].GradNorm!, w.Reference.Steps[last].GradNormModulated!)],
                $"Encoder gradient norms at step {last + 1}, before and after scaling by B")),
            new("coefficients", TrainingCharts.Coefficients([new RunSeries("Paper", [w.Paper]), new RunSeries("Reference", [w.Reference])], window: 1,
                title: "B_i at each step (no smoothing)")),
        };
        return new ReproductionResult("cggm-step-by-step", "CGGM step by step", profile, tables, charts,
            [$"ρ = {w.Options.Rho?.ToString() ?? "None"}, λ = {w.Options.Lambda}, batch {w.BatchSize}, same initial weights and batches for both variants."]);
    }
}
