using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Options;

/// <summary>The options of every command that trains runs: <c>--seeds</c>, <c>--epochs</c>, <c>--runs</c> and <c>--fresh</c>.</summary>
internal abstract class RunSettings : CommandSettings
{
    [CommandOption("--seeds <SEEDS>")]
    [Description("Seeds, e.g. 0,1,2 or 0-4 (default: 0,1,2; train: 0).")]
    public string Seeds { get; init; } = "0,1,2";

    [CommandOption("--epochs <N>")]
    [Description("Epochs per run (default: the dataset's setting; the synthetic benchmark's is 20).")]
    public int? Epochs { get; init; }

    [CommandOption("--runs <DIR>")]
    [Description("Where the runs go, a folder per run; finished runs are reused and interrupted ones resumed (default, by command: runs/train, " +
                 "runs/compare, runs/quickstart/quick, runs/sweeps/<dataset>).")]
    public string? Runs { get; init; }

    [CommandOption("--fresh")]
    [Description("Start over: delete the runs this command would otherwise reuse or resume (a sweep: its whole folder) first.")]
    public bool Fresh { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() => Epochs is < 1 ? ValidationResult.Error("--epochs must be at least 1.") : ValidationResult.Success();
}
