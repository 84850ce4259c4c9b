using System.ComponentModel;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using Spectre.Console.Cli;

namespace Cggm.Cli.Options;

/// <summary><see cref="MethodRunSettings"/> on a dataset chosen by name: <c>--dataset</c>, <c>--data-root</c> and <c>--device</c>.</summary>
internal abstract class DatasetRunSettings : MethodRunSettings
{
    [CommandOption("--dataset <NAME>")]
    [DatasetsDescription("Dataset: {0} (each but the synthetic benchmark trains with its paper settings).")]
    [DefaultValue(SyntheticImbalance.DatasetName)]
    public string DatasetName { get; init; } = SyntheticImbalance.DatasetName;

    [CommandOption(SharedOptions.DataRoot)]
    [Description(SharedOptions.DataRootDescription)]
    public string? DataRoot { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda or cuda:N (default: CUDA when available).")]
    public string? Device { get; init; }

    /// <summary>The dataset <c>--dataset</c> names (an unknown name is an error that lists the known ones).</summary>
    public DatasetDescriptor Dataset => DatasetRegistry.Get(DatasetName);
}
