using Cggm.Experiments;
using Cggm.Experiments.Datasets;

namespace Cggm.Notebooks.Reproductions;

/// <summary>
/// A reproduction whose analysis runs on any dataset with paper settings (<c>cggm reproduce NAME --dataset D</c>): its notebook
/// uses <see cref="DefaultDataset"/>, the paper's choice; another dataset's runs and outputs go to <c>&lt;name&gt;-&lt;dataset&gt;</c>.
/// </summary>
public interface IDatasetReproduction : IReproduction
{
    /// <summary>The dataset the paper (and the notebook) uses.</summary>
    DatasetDescriptor DefaultDataset { get; }

    /// <summary>Runs the analysis on <paramref name="dataset"/> at <paramref name="profile"/>; runs are kept under <c>runs/&lt;folder&gt;/&lt;profile&gt;/</c>.</summary>
    ReproductionResult Run(DatasetDescriptor dataset, Profile profile, string? dataRoot = null, IProgress<RecipeProgress>? progress = null,
                           CancellationToken cancellation = default);

    /// <summary>The run and output folder name for <paramref name="dataset"/>: the reproduction's name for its default dataset, else <c>name-dataset</c>.</summary>
    string Folder(DatasetDescriptor dataset) => dataset.Name == DefaultDataset.Name ? Name : $"{Name}-{dataset.Name}";
}
