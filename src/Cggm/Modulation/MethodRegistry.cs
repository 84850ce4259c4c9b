namespace Cggm.Modulation;

/// <summary>A balancing method selectable by name from the CLI and the recipes.</summary>
/// <param name="Name">The name (<c>cggm train --method NAME</c>).</param>
/// <param name="Description">One line for <c>cggm methods</c>.</param>
/// <param name="Create">Builds a fresh instance from the run's settings.</param>
public sealed record MethodInfo(string Name, string Description, Func<MethodSettings, BalancingMethod> Create);

/// <summary>Settings a method factory may read (the per-dataset hyperparameters of the experiment configs).</summary>
public sealed record MethodSettings
{
    /// <summary>CGGM's hyperparameters (its <see cref="CggmOptions.Variant"/> is overridden by the method name).</summary>
    public CggmOptions Cggm { get; init; } = new();

    /// <summary>The modality index kept by unimodal training.</summary>
    public int Modality { get; init; }
}

/// <summary>Every balancing method by name. The trainer never sees names; only this registry does.</summary>
public static class MethodRegistry
{
    private static readonly MethodInfo[] All =
    [
        new("joint", "Joint training (the paper's Baseline): no balancing.", _ => new JointTraining()),
        new("unimodal", "Train and evaluate on one modality (--modality), the others zero-masked.", s => new UnimodalTraining(s.Modality)),
        new("cggm", "CGGM as the paper writes it (Eq. 6–13): gradient cosines, ρ in B everywhere, guard on.",
            s => new CggmMethod(s.Cggm with { Variant = CggmVariant.Paper })),
        new("cggm-reference", "CGGM as the released code runs it: weight cosines, one-step-lagged L_gm, ρ only on encoders, 1e-8 epsilon.",
            s => new CggmMethod(s.Cggm with { Variant = CggmVariant.Reference })),
    ];

    /// <summary>Every registered method.</summary>
    public static IReadOnlyList<MethodInfo> Methods => All;

    /// <summary>The method called <paramref name="name"/>; an unknown name throws an error listing the known ones.</summary>
    public static MethodInfo Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown method '{name}'. Known methods: {string.Join(", ", All.Select(m => m.Name))} (see 'cggm methods').", nameof(name));

    /// <summary>Creates the method called <paramref name="name"/>.</summary>
    public static BalancingMethod Create(string name, MethodSettings? settings = null) => Get(name).Create(settings ?? new MethodSettings());
}
