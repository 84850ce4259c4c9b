using Cggm.Data;

namespace Cggm.Experiments.Datasets;

/// <summary>
/// The built-in synthetic imbalance benchmark (<see cref="SyntheticImbalance"/>, <see cref="SyntheticBenchmark"/>): generated in
/// memory from a seed, so it has no folder, no sample data and nothing to prepare; it poses a classification or a regression.
/// </summary>
public sealed class SyntheticDataset() : DatasetDescriptor(SyntheticImbalance.DatasetName, "Synthetic imbalance benchmark", "classification")
{
    /// <summary>Generates the default benchmark's data from <see cref="DatasetOpenOptions.Seed"/>; <paramref name="root"/> is not read.</summary>
    public override IMultimodalDataset Open(string root, DatasetOpenOptions? options = null) =>
        new SyntheticImbalance(new SyntheticImbalanceOptions { Seed = options?.Seed ?? 0 });

    /// <summary>"classification" and "regression" (<see cref="SyntheticTarget"/>).</summary>
    public override IReadOnlyList<string> Targets { get; } = [.. Enum.GetNames<SyntheticTarget>().Select(t => t.ToLowerInvariant())];

    /// <summary>The dataset's name for classification, "&lt;name&gt;-regression" for regression.</summary>
    public override string ExperimentName(string? target = null) => TargetOf(target) == SyntheticTarget.Classification ? Name : $"{Name}-{target!.ToLowerInvariant()}";

    /// <summary><see cref="SyntheticBenchmark"/> posing the request's target, with its epochs, device and CGGM options changed as asked.</summary>
    public override ExperimentSetup Setup(SetupRequest request)
    {
        var target = TargetOf(request.Target);
        var b = new SyntheticBenchmark { Data = new SyntheticImbalanceOptions { Target = target } };
        b = b with { Trainer = b.Trainer with { Epochs = request.Epochs ?? b.Trainer.Epochs, Device = request.Device }, Cggm = request.ChangeCggm(b.Cggm) };
        return b.Setup(ExperimentName(request.Target), request.Modality);
    }

    /// <summary>Generated in memory: ready, nothing to prepare.</summary>
    public override PreparationReport Check(string root) =>
        new(Name, root, true, ["The synthetic benchmark is generated in memory; nothing to prepare."], null);

    private static SyntheticTarget TargetOf(string? target) => target is null ? SyntheticTarget.Classification : Enum.Parse<SyntheticTarget>(target, ignoreCase: true);
}
