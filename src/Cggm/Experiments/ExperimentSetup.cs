using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>What a recipe needs to train any method on a dataset: data, model, task, trainer defaults and method settings.</summary>
/// <param name="Name">Experiment name; runs go to <c>&lt;run root&gt;/&lt;method&gt;/seed-&lt;n&gt;/</c>.</param>
/// <param name="Data">The dataset (created once per experiment).</param>
/// <param name="Model">A fresh model for the dataset (called after seeding, once per run).</param>
/// <param name="Task">The task.</param>
/// <param name="Trainer">Trainer settings (the seed, run folder and resume flag are set per run).</param>
/// <param name="Methods">Hyperparameters of the balancing methods.</param>
public sealed record ExperimentSetup(string Name, IMultimodalDataset Data, Func<IMultimodalDataset, MultimodalModel> Model,
                                     LearningTask Task, TrainerOptions Trainer, MethodSettings Methods);

/// <summary>One finished run of a recipe.</summary>
public sealed record ExperimentRun(string Method, int Seed, TrainingResult Result);

/// <summary>Progress of a multi-run recipe: which run, and that run's own progress.</summary>
/// <param name="Method">Method of the current run.</param>
/// <param name="Seed">Seed of the current run.</param>
/// <param name="RunIndex">0-based index of the current run.</param>
/// <param name="RunCount">Number of runs.</param>
/// <param name="Training">The current run's progress.</param>
public sealed record RecipeProgress(string Method, int Seed, int RunIndex, int RunCount, TrainingProgress Training);

/// <summary>Trains every (method, seed) pair of an experiment through the same trainer.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Runs <paramref name="methods"/> × <paramref name="seeds"/>. Each run seeds every generator with its seed, builds a
    /// fresh model, and writes to <c>runRoot/method/seed-n</c> when <paramref name="runRoot"/> is set; with
    /// <paramref name="resume"/> an interrupted or finished run continues from its last checkpoint.
    /// </summary>
    public static IReadOnlyList<ExperimentRun> Run(ExperimentSetup setup, IReadOnlyList<string> methods, IReadOnlyList<int> seeds,
        string? runRoot = null, bool resume = true, IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (methods.Count == 0) throw new ArgumentException("Name at least one method.", nameof(methods));
        if (seeds.Count == 0) throw new ArgumentException("Name at least one seed.", nameof(seeds));
        foreach (var m in methods) MethodRegistry.Get(m);   // fail on a bad name before any training
        var runs = new List<ExperimentRun>();
        int index = 0, count = methods.Count * seeds.Count;
        foreach (var methodName in methods)
        {
            foreach (var seed in seeds)
            {
                Seeding.Everything(seed);
                using var model = setup.Model(setup.Data);
                using var method = MethodRegistry.Create(methodName, setup.Methods);
                var options = setup.Trainer with
                {
                    Seed = seed,
                    RunDirectory = runRoot is null ? null : Path.Combine(runRoot, method.Name, $"seed-{seed}"),
                    Resume = resume,
                };
                using var trainer = new Trainer(model, setup.Task, method, options);
                int i = index;
                var perRun = progress is null ? null : new Relay<TrainingProgress>(p => progress.Report(new RecipeProgress(method.Name, seed, i, count, p)));
                runs.Add(new ExperimentRun(method.Name, seed, trainer.Fit(setup.Data, perRun, cancellation)));
                index++;
            }
        }
        return runs;
    }
}
