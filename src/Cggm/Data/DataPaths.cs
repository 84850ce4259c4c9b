using Cggm.IO;
namespace Cggm.Data;

/// <summary>
/// Where the datasets' files live: the data root is <c>--data-root</c>, else the <c>CGGM_DATA</c> environment variable, else
/// <c>./data</c>; each dataset sits in the folder of its name below it (<c>data/mosi</c>, …) unless an explicit root is given.
/// Which datasets there are, and how each opens, is the registry's business (<c>Cggm.Experiments.Datasets.DatasetRegistry</c>).
/// </summary>
public static class DataPaths
{
    /// <summary>The environment variable naming the data root.</summary>
    public const string DataRootVariable = "CGGM_DATA";

    /// <summary>
    /// The data root: <paramref name="dataRoot"/>, else <c>$CGGM_DATA</c>, else <c>./data</c> (absolute). Inside a clone, <c>./data</c>
    /// is the clone's <c>data/</c> folder from any working directory (a notebook runs in <c>notebooks/</c>, a test in its
    /// <c>bin/</c> folder); outside one it is relative to the working directory.
    /// </summary>
    public static string DataRoot(string? dataRoot = null)
    {
        var chosen = !string.IsNullOrWhiteSpace(dataRoot) ? dataRoot
            : Environment.GetEnvironmentVariable(DataRootVariable) is { Length: > 0 } env ? env
            : Path.Combine(RepositoryPaths.Root, "data");
        return Path.GetFullPath(chosen);
    }

    /// <summary>The folder of the dataset called <paramref name="name"/>: <paramref name="root"/> if given, else <c>&lt;data root&gt;/&lt;name&gt;</c>.</summary>
    public static string DatasetRoot(string name, string? root = null, string? dataRoot = null) =>
        !string.IsNullOrWhiteSpace(root) ? Path.GetFullPath(root) : Path.Combine(DataRoot(dataRoot), name);
}
