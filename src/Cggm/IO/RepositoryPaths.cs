namespace Cggm.IO;

/// <summary>Where runs and artifacts go: the repository root (found upward from the working directory by its solution file), else the working directory.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root, or the current directory outside a clone.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Cggm.Notebooks.sln"))) return dir.FullName;
            return Environment.CurrentDirectory;
        }
    }

    /// <summary><c>&lt;root&gt;/runs/&lt;parts…&gt;</c>.</summary>
    public static string Runs(params string[] parts) => Path.Combine([Root, "runs", .. parts]);

    /// <summary><c>&lt;root&gt;/artifacts/&lt;parts…&gt;</c>.</summary>
    public static string Artifacts(params string[] parts) => Path.Combine([Root, "artifacts", .. parts]);
}
