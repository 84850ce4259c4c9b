using System.ComponentModel;
using System.Globalization;
using Cggm.Experiments.Datasets;

namespace Cggm.Cli.Options;

/// <summary>
/// The options that commands in more than one settings chain take (Spectre binds an option only through the settings type's
/// own base classes, so such an option needs a property in each chain): their spelling and their one description.
/// </summary>
internal static class SharedOptions
{
    /// <summary><c>--data-root</c>.</summary>
    public const string DataRoot = "--data-root <DIR>";

    /// <summary>What <c>--data-root</c> is.</summary>
    public const string DataRootDescription = "Data root holding one folder per dataset (default: $CGGM_DATA, else ./data; for a sweep on a cluster, a path the jobs see).";

    /// <summary><c>--root</c>.</summary>
    public const string Root = "--root <DIR>";

    /// <summary>What <c>--root</c> is.</summary>
    public const string RootDescription = "The dataset's own folder (default: <data root>/<dataset>; overrides --data-root).";

    /// <summary><c>--threads</c>.</summary>
    public const string Threads = "--threads <N>";

    /// <summary>What <c>--threads</c> is and each command's default.</summary>
    public const string ThreadsDescription = "Torch CPU threads (default: 1 for compare, reproduce and sweep, whose small models ran 5–6× faster on one thread than on two " +
                                             "on a shared 2-core machine; libtorch's choice for train and bench). A sweep gives each run this many and asks its cluster " +
                                             "jobs for as many CPUs.";

    /// <summary>The error of a thread count below one, or null.</summary>
    public static string? CheckThreads(int? threads) => threads is < 1 ? "--threads must be at least 1." : null;
}

/// <summary>A description that names the registered datasets where its text has <c>{0}</c> (read from <see cref="DatasetRegistry"/> when the help is built).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DatasetsDescriptionAttribute(string format) : DescriptionAttribute(format)
{
    /// <inheritdoc />
    public override string Description => string.Format(CultureInfo.InvariantCulture, DescriptionValue, string.Join(", ", DatasetRegistry.Names));
}
