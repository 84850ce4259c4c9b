using System.ComponentModel;
using Cggm.Experiments.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Options;

/// <summary><see cref="RunSettings"/> and what the training commands beyond the quickstart take: <c>--set</c>, <c>--target</c> and <c>--threads</c>.</summary>
internal abstract class MethodRunSettings : RunSettings
{
    [CommandOption("--set <KEY=VALUE>")]
    [Description("Change a method hyperparameter, e.g. --set ogm-ge.alpha=0.5 or --set mslr.multipliers=[[1,3]] (repeatable; a sweep sets it in every run).")]
    public string[] Set { get; init; } = [];

    [CommandOption("--target <KIND>")]
    [Description("The synthetic benchmark's task: classification or regression (classification-only methods are reported as not defined on regression; other datasets pose one task).")]
    [DefaultValue("classification")]
    public string Target { get; init; } = "classification";

    [CommandOption(SharedOptions.Threads)]
    [Description(SharedOptions.ThreadsDescription)]
    public int? Threads { get; init; }

    /// <summary>The task asked of <paramref name="dataset"/>: <see cref="Target"/> checked against the tasks it poses, or null for a dataset with one task.</summary>
    public string? TargetFor(DatasetDescriptor dataset)
    {
        if (dataset.Targets.Count == 0) return null;
        var target = Target.ToLowerInvariant();
        return dataset.Targets.Contains(target) ? target : throw new ArgumentException($"--target '{Target}': expected {string.Join(" or ", dataset.Targets)}.");
    }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } failed ? failed
        : SharedOptions.CheckThreads(Threads) is { } error ? ValidationResult.Error(error)
        : ValidationResult.Success();
}
