namespace Cggm.Notebooks.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Notebooks => Path.Combine(Root, "notebooks");

    public static string KernelDll => Path.Combine(Root, ".tools", "interactive", "Microsoft.DotNet.Interactive.App.dll");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static IEnumerable<object[]> NotebookNames() =>
        Directory.GetFiles(Notebooks, "*.ipynb").Select(Path.GetFileName).Order().Select(n => new object[] { n! });

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cggm.Notebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Cggm.Notebooks.sln was not found above " + AppContext.BaseDirectory);
    }
}
