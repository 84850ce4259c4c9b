using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>The first steps of both CGGM variants from the same initial model and the same batches.</summary>
/// <param name="Modalities">Modality names.</param>
/// <param name="Paper">History of the Paper variant.</param>
/// <param name="Reference">History of the Reference variant.</param>
/// <param name="Options">The CGGM hyperparameters (ρ, λ) both variants used.</param>
/// <param name="BatchSize">Samples per step.</param>
public sealed record WalkthroughResult(IReadOnlyList<string> Modalities, TrainingHistory Paper, TrainingHistory Reference, CggmOptions Options, int BatchSize);

/// <summary>
/// CGGM step by step: trains the Paper and the Reference variant for a few steps on the quickstart benchmark, from the same
/// seed (so the same initial weights and classifiers) and on the same unshuffled batches, and keeps every step's record:
/// ε_i, Δε_i, B_i, the encoder gradient norms before and after scaling, the cosine terms and 𝓛_gm.
/// </summary>
public static class CggmWalkthrough
{
    /// <summary>Runs <paramref name="steps"/> steps of each variant.</summary>
    public static WalkthroughResult Run(int steps = 4, int seed = 0, double? rho = 1.3, double lambda = 0.2, int batchSize = 64)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one step.");
        var benchmark = new SyntheticBenchmark();
        var data = new SyntheticImbalance(benchmark.Data with { TrainSize = steps * batchSize, ValidSize = batchSize, TestSize = batchSize });
        using var _ = data;
        var options = benchmark.Cggm with { Rho = rho, Lambda = lambda };
        TrainingHistory Train(CggmVariant variant)
        {
            Seeding.Everything(seed);
            using var model = new MlpFusionNet(data.Modalities, benchmark.Data.Classes, benchmark.Hidden);
            using var method = CggmMethod.Create(options with { Variant = variant });
            using var trainer = new Trainer(model, new ClassificationTask(benchmark.Data.Classes), method,
                benchmark.Trainer with { Epochs = 1, BatchSize = batchSize, ShuffleTrain = false, Seed = seed, Device = "cpu" });
            return trainer.Fit(data).History;
        }
        return new WalkthroughResult(data.Modalities.Select(m => m.Name).ToArray(), Train(CggmVariant.Paper), Train(CggmVariant.Reference), options, batchSize);
    }
}
