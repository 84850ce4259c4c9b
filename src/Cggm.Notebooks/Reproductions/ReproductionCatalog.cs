namespace Cggm.Notebooks.Reproductions;

/// <summary>Every reproduction by name (and by notebook name).</summary>
public static class ReproductionCatalog
{
    private static readonly IReproduction[] All =
    [
        new QuickstartReproduction(), new StepByStepReproduction(), new GradientAnalysisReproduction(), new MosiReproduction(), new IemocapReproduction(),
        new Food101Reproduction(), new Brats2021Reproduction(), new HyperparameterReproduction(), new ClassifierGradientsReproduction(),
        new TrainingDynamicsReproduction(), new PaperVsReferenceReproduction(), new AvDigitsReproduction(), new WhenDoesCggmHelpReproduction(),
    ];

    /// <summary>All reproductions, in notebook order.</summary>
    public static IReadOnlyList<IReproduction> Reproductions => All;

    /// <summary>The reproduction called <paramref name="name"/> or whose notebook is <paramref name="name"/>.</summary>
    public static IReproduction Get(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Notebook, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown reproduction '{name}'. Known: {string.Join(", ", All.Select(r => $"{r.Name} ({r.Notebook})"))}.", nameof(name));
}
