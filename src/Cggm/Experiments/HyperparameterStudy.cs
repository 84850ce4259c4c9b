using Cggm.Experiments.Datasets;
using Cggm.Modulation;

namespace Cggm.Experiments;

/// <summary>The paper's hyperparameter study on one dataset: a ρ sweep and a λ sweep against joint training.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Profile">The profile it ran at.</param>
/// <param name="IsSample">True when it ran on sample data (numbers mean nothing about the paper).</param>
/// <param name="Settings">What the profile ran.</param>
/// <param name="Seeds">Seeds.</param>
/// <param name="Cggm">The dataset's CGGM options: the fixed λ of the ρ sweep and the fixed ρ of the λ sweep.</param>
/// <param name="Rho">The ρ sweep (Fig. 5a).</param>
/// <param name="Lambda">The λ sweep (Fig. 5b).</param>
public sealed record HyperparameterStudyResult(DatasetDescriptor Dataset, Profile Profile, bool IsSample, string Settings, IReadOnlyList<int> Seeds, CggmOptions Cggm,
                                               SweepResult Rho, SweepResult Lambda);

/// <summary>
/// The recipe behind Fig. 5 (IEMOCAP): <see cref="HyperparameterSweep"/> over ρ at the dataset's λ, then over λ at the
/// dataset's ρ, with the values of the profile (<see cref="HyperparameterSweep.Values"/>) and the dataset's seeds. Both sweeps
/// share the joint-training runs and the run at the dataset's own (ρ, λ); runs go to <c>runs/&lt;name&gt;/&lt;profile&gt;/</c>.
/// </summary>
public static class HyperparameterStudy
{
    /// <summary>Runs both sweeps on <paramref name="dataset"/> (default: the paper's, IEMOCAP).</summary>
    public static HyperparameterStudyResult Run(Profile profile, string name, string? dataRoot = null, DatasetDescriptor? dataset = null,
                                                IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        dataset ??= DatasetRegistry.Iemocap;
        var (setup, data) = PaperExperiment.Setup(dataset, profile, dataRoot);
        using var _ = data;
        var seeds = PaperExperiment.Seeds(dataset, profile);
        var root = PaperComparison.RunRoot(name, profile, data.IsSample);
        var rho = HyperparameterSweep.Values(CggmHyperparameter.Rho, profile);
        var lambda = HyperparameterSweep.Values(CggmHyperparameter.Lambda, profile);
        int total = (rho.Count + lambda.Count + 2) * seeds.Count;   // each sweep reports its joint runs (the second reuses the first's)
        var rhoSweep = HyperparameterSweep.Run(setup, CggmHyperparameter.Rho, rho, seeds, root, resume: true, ComparisonRunner.Shift(progress, 0, total), cancellation);
        var lambdaSweep = HyperparameterSweep.Run(setup, CggmHyperparameter.Lambda, lambda, seeds, root, resume: true,
                                                  ComparisonRunner.Shift(progress, (rho.Count + 1) * seeds.Count, total), cancellation);
        return new HyperparameterStudyResult(dataset, profile, data.IsSample, PaperExperiment.Describe(dataset, profile), seeds, setup.Methods.Cggm,
                                             rhoSweep, lambdaSweep);
    }
}
