using Cggm.Analysis;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Cggm.Training;

namespace Cggm.Experiments;

/// <summary>One point of a Fig. 4 panel: one batch's gradient of one kind for one modality, placed by t-SNE.</summary>
/// <param name="Modality">Modality index.</param>
/// <param name="Classifier">True for the classifier gradient g_i, false for the unimodal gradient u_i.</param>
/// <param name="Batch">Index of the probed batch (in probing order).</param>
/// <param name="Step">Global training step after which the batch was probed.</param>
/// <param name="X">First t-SNE coordinate.</param>
/// <param name="Y">Second t-SNE coordinate.</param>
public sealed record GradientPoint(int Modality, bool Classifier, int Batch, int Step, double X, double Y);

/// <summary>One dataset's panel of Fig. 4.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="IsSample">True on sample data.</param>
/// <param name="Modalities">Modality names.</param>
/// <param name="Steps">Training steps run.</param>
/// <param name="Points">2·M points per probed batch.</param>
/// <param name="Agreement">Per-modality cosine summary (<see cref="GradientAgreement"/>).</param>
/// <param name="Embedding">The t-SNE run (its KL divergence and perplexity).</param>
public sealed record GradientPanel(DatasetDescriptor Dataset, bool IsSample, IReadOnlyList<string> Modalities, int Steps, IReadOnlyList<GradientPoint> Points,
                                   IReadOnlyList<ModalityAgreement> Agreement, TsneResult Embedding);

/// <summary>The panels of Fig. 4 in the paper's dataset order.</summary>
public sealed record ClassifierGradientsResult(Profile Profile, IReadOnlyList<GradientPanel> Panels);

/// <summary>
/// The paper's Fig. 4: t-SNE of per-batch classifier gradients against unimodal gradients, one panel per dataset.
/// <para>On each dataset, CGGM (Paper variant) trains with the dataset's settings at the profile; after each training step the
/// step's batch is probed (<see cref="UnimodalGradientProbe"/>): g_i, the gradient of classifier f_i's output layer, and u_i,
/// the gradient of the head's output layer when only h_i is fed to the fusion (the others zeroed). Both have the shape of the
/// head's output weight; each is L2-normalised (CGGM compares them only through cosines, and the two layers' gradients differ
/// in scale), so t-SNE's Euclidean distances follow the cosine. Fig. 4's claim holds when each modality's g_i and u_i lie
/// together and apart from the other modalities'.</para>
/// <para>Budget: Smoke probes 4 steps; Quick 48 steps (the training subset is cut to 48 batches, trained for as many epochs as
/// that needs); Paper the whole paper run, probing every k-th step so that at most 200 batches are kept. Validation and test
/// are cut to one batch: Fig. 4 reads no metric.</para>
/// </summary>
public static class ClassifierGradients
{
    /// <summary>The datasets of Fig. 4: the paper's four, in the order of its Table 1.</summary>
    public static IReadOnlyList<DatasetDescriptor> Datasets => DatasetRegistry.Paper;

    /// <summary>Batches probed per dataset at a profile (Paper: at most this many, spread over the run).</summary>
    public static int ProbedBatches(Profile profile) => profile switch { Profile.Smoke => 4, Profile.Quick => 48, _ => 200 };

    /// <summary>Runs every dataset of <paramref name="datasets"/> (default <see cref="Datasets"/>).</summary>
    public static ClassifierGradientsResult Run(Profile profile, string? dataRoot = null, IReadOnlyList<DatasetDescriptor>? datasets = null, int seed = 0,
                                                IProgress<RecipeProgress>? progress = null, CancellationToken cancellation = default)
    {
        datasets ??= Datasets;
        var panels = new List<GradientPanel>();
        for (int d = 0; d < datasets.Count; d++)
        {
            int index = d;
            var relay = progress is null ? null : new Relay<TrainingProgress>(p => progress.Report(new RecipeProgress(datasets[index].Name, seed, index, datasets.Count, p)));
            panels.Add(Collect(datasets[d], profile, dataRoot, seed, relay, cancellation));
        }
        return new ClassifierGradientsResult(profile, panels);
    }

    /// <summary>One dataset's panel.</summary>
    public static GradientPanel Collect(DatasetDescriptor dataset, Profile profile, string? dataRoot = null, int seed = 0,
                                        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var settings = PaperExperiment.Settings(dataset, profile);
        using var paperData = PaperExperiment.OpenData(dataset, profile, dataRoot);
        int wanted = ProbedBatches(profile), batch = settings.BatchSize;
        int available = paperData.Data[Split.Train].Count;
        var trainLimit = profile == Profile.Paper ? (int?)null : Math.Min(available, wanted * batch);
        var data = new DatasetSubset(paperData.Data, trainLimit, batch, batch, seed);
        int stepsPerEpoch = BatchOrder.Count(data[Split.Train].Count, batch);
        int epochs = profile == Profile.Paper ? settings.Epochs : (int)Math.Ceiling(wanted / (double)stepsPerEpoch);
        int every = profile == Profile.Paper ? Math.Max(1, (int)Math.Ceiling(epochs * stepsPerEpoch / (double)wanted)) : 1;
        var options = settings.Trainer() with { Epochs = epochs, Seed = seed, ModalityProbes = false };

        Seeding.Everything(seed);
        using var model = settings.CreateModel(data);
        using var method = CggmMethod.Create(settings.Cggm with { Variant = CggmVariant.Paper });
        using var trainer = new Trainer(model, settings.CreateTask(), method, options);
        var task = settings.CreateTask();
        var measured = new List<(int Step, BatchGradients Gradients)>();
        int[][]? order = null;
        int orderEpoch = -1, globalStep = 0;
        var device = options.Device is null ? Devices.Default : Devices.Decide(options.Device);
        var probe = new Relay<TrainingProgress>(p =>
        {
            progress?.Report(p);
            if (p.Stage != ProgressStage.Step) return;
            globalStep++;
            if (measured.Count >= wanted || (globalStep - 1) % every != 0) return;
            if (orderEpoch != p.Epoch)
            {
                order = BatchOrder.Batches(data[Split.Train].Count, batch, options.ShuffleTrain, options.Seed, p.Epoch, options.DropLast).ToArray();
                orderEpoch = p.Epoch;
            }
            var b = data[Split.Train].Load(order![p.Step - 1], device);
            measured.Add((globalStep, UnimodalGradientProbe.Measure(model, method.Classifiers!.Classifiers, task, b)));
            foreach (var t in b.Modalities) t.Dispose();
            b.Target.Dispose();
        });
        trainer.Fit(data, probe, cancellation);

        var modalities = data.Modalities.Select(m => m.Name).ToArray();
        var vectors = new List<double[]>();
        var keys = new List<(int Modality, bool Classifier, int Batch, int Step)>();
        for (int k = 0; k < measured.Count; k++)
            for (int i = 0; i < modalities.Length; i++)
            {
                vectors.Add(GradientAgreement.Normalize(measured[k].Gradients.Classifier[i]));
                keys.Add((i, true, k, measured[k].Step));
                vectors.Add(GradientAgreement.Normalize(measured[k].Gradients.Unimodal[i]));
                keys.Add((i, false, k, measured[k].Step));
            }
        var embedding = Tsne.Embed(vectors, new TsneOptions { Seed = seed });
        var points = keys.Select((key, j) => new GradientPoint(key.Modality, key.Classifier, key.Batch, key.Step, embedding.Points[j][0], embedding.Points[j][1])).ToArray();
        return new GradientPanel(dataset, paperData.IsSample, modalities, globalStep, points,
            GradientAgreement.Compute(measured.Select(m => m.Gradients).ToArray(), modalities), embedding);
    }
}
