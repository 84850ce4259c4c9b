using System.ComponentModel;
using Cggm.Experiments.Datasets;
using Spectre.Console.Cli;

namespace Cggm.Cli.Options;

/// <summary>The options of a command that reads one dataset's data root (<c>--data-root</c>).</summary>
internal abstract class DataRootSettings : CommandSettings
{
    [CommandOption(SharedOptions.DataRoot)]
    [Description(SharedOptions.DataRootDescription)]
    public string? DataRoot { get; init; }
}

/// <summary>The options of <c>cggm data …</c>: the dataset by name and its folder (<c>--root</c>, <c>--data-root</c>).</summary>
internal abstract class DatasetFolderSettings : DataRootSettings
{
    [CommandArgument(0, "<DATASET>")]
    [DatasetsDescription("Dataset: {0}.")]
    public string DatasetName { get; init; } = "";

    [CommandOption(SharedOptions.Root)]
    [Description(SharedOptions.RootDescription)]
    public string? Root { get; init; }

    /// <summary>The dataset the argument names (an unknown name is an error that lists the known ones).</summary>
    public DatasetDescriptor Dataset => DatasetRegistry.Get(DatasetName);
}
